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

/** The adaptive loop: a consumer's burst far above its baseline is detected and the edge throttles it by itself. */
class AnomalyLoopTest {
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aSpikingConsumerIsThrottledByTheDirectiveTheDetectorIssues(@TempDir Path dataDir) throws Exception {
        Map<String, String> quickDetector = Map.of("GATEWAY_ANOMALY_DETECTOR_WINDOW", "1s", "GATEWAY_ANOMALY_DETECTOR_WARMUP_WINDOWS", "4",
                "GATEWAY_ANOMALY_DETECTOR_DIRECTIVE_TTL", "30s");
        try (LocalStack stack = LocalStack.start(LocalStackSmokeTest.settings(dataDir, quickDetector))) {
            try (var producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers()), new StringSerializer(),
                    ContractSerdes.of(stack.registryUrl()).<PolicyCommand>serde(Topic.CONTROL).serializer())) {
                // a generous plan, so only the detector's directive can throttle
                producer.send(new ProducerRecord<>(stack.topics().control(), "plan:demo", ControlLoopTest.command("p1", EntityType.PLAN, "demo",
                        "{\"ratePerSecond\":10000,\"burst\":10000}"))).get();
            }
            String api = stack.endpoints().get("edge").replace("/echo/hi", "/api/a");
            String config = stack.endpoints().get("edge admin").replace("/observe/health", "/config");
            long applied = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!http.send(HttpRequest.newBuilder(URI.create(config)).build(), HttpResponse.BodyHandlers.ofString()).body().contains("\"version\":1")
                    && System.nanoTime() < applied) {
                Thread.sleep(50); // the generous plan is in force before the traffic starts
            }
            long steadyUntil = System.nanoTime() + Duration.ofSeconds(7).toNanos();
            while (System.nanoTime() < steadyUntil) {
                call(api);
                Thread.sleep(200); // about 5 requests per 1-second window: the baseline
            }
            for (int i = 0; i < 300; i++) {
                call(api); // the spike
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            HttpResponse<String> response = call(api);
            while (!(response.statusCode() == 429 && response.body().contains("vs baseline")) && System.nanoTime() < deadline) {
                Thread.sleep(20);
                response = call(api);
            }
            assertThat(response.statusCode()).as("throttled by the adaptive limit").isEqualTo(429);
            assertThat(response.body()).contains("consumer demo:").contains("req/min vs baseline");
        }
    }

    HttpResponse<String> call(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("X-API-Key", "demo-key").build(), HttpResponse.BodyHandlers.ofString());
    }
}
