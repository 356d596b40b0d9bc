package io.eventgate.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.avro.EntityType;
import io.eventgate.avro.PolicyCommand;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.serde.ContractSerdes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The feedback loop: requests → gateway.requests → policy-streams' daily count → QUOTA_EXHAUSTED on gateway.limits → 429 at the edge. */
class QuotaLoopTest {
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aConsumerOverItsDailyQuotaIsRefusedByTheEdge(@TempDir Path dataDir) throws Exception {
        try (LocalStack stack = LocalStack.start(LocalStackSmokeTest.settings(dataDir))) {
            String api = stack.endpoints().get("edge").replace("/echo/hi", "/api/q");
            ContractSerdes serdes = ContractSerdes.of(stack.registryUrl());
            try (var producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers()), new StringSerializer(),
                    serdes.<PolicyCommand>serde(Topic.CONTROL).serializer())) {
                producer.send(new ProducerRecord<>(stack.topics().control(), "plan:demo", ControlLoopTest.command("q1", EntityType.PLAN, "demo",
                        "{\"ratePerSecond\":100,\"burst\":100,\"dailyQuota\":5}"))).get();
            }
            String config = stack.endpoints().get("edge admin").replace("/observe/health", "/config");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!http.send(HttpRequest.newBuilder(URI.create(config)).build(), HttpResponse.BodyHandlers.ofString()).body().contains("\"version\":1")
                    && System.nanoTime() < deadline) {
                Thread.sleep(50); // the edge applies the plan (its rate) before the traffic starts
            }
            int status = 0;
            int served = 0;
            String body = "";
            while (!(status == 429 && body.contains("quota_exhausted")) && System.nanoTime() < deadline) {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(api)).header("X-API-Key", "demo-key").build(),
                        HttpResponse.BodyHandlers.ofString());
                status = response.statusCode();
                body = response.body();
                if (status == 200) {
                    served++;
                } else if (status == 429) {
                    assertThat(response.headers().firstValue("Retry-After")).isPresent();
                }
                Thread.sleep(50);
            }
            assertThat(body).contains("quota_exhausted");
            assertThat(status).as("refused once the daily quota is used").isEqualTo(429);
            assertThat(served).as("at least the quota was served before the refusal").isGreaterThanOrEqualTo(5);
        }
    }
}
