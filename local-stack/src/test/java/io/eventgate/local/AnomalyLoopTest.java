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

/**
 * The adaptive loop: a consumer's burst far above its baseline is throttled, and an address that fails to log in
 * again and again is blocked, by the edge itself, from the directives the detector issues; the directives lapse.
 */
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

    @Test
    void anAddressFailingToLogInIsBlockedWithinSecondsWhileOthersAreServedAndTheBlockLapses(@TempDir Path dataDir) throws Exception {
        Map<String, String> quickDetector = Map.of("GATEWAY_ANOMALY_DETECTOR_WINDOW", "1s", "GATEWAY_ANOMALY_DETECTOR_DIRECTIVE_TTL", "3s",
                "GATEWAY_ANOMALY_DETECTOR_DETECTORS_AUTH_FAILURES_MINIMUM_EXCESS", "10");
        // the attacker connects from another loopback address, so the edge sees two clients
        HttpClient attacker = HttpClient.newBuilder().localAddress(java.net.InetAddress.getByName("127.0.0.2")).build();
        try (LocalStack stack = LocalStack.start(LocalStackSmokeTest.settings(dataDir, quickDetector))) {
            String api = stack.endpoints().get("edge").replace("/echo/hi", "/api/login");
            assertThat(call(api).statusCode()).isEqualTo(200);
            java.util.concurrent.atomic.AtomicInteger othersRefused = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread others = Thread.ofPlatform().start(() -> {
                while (running.get()) {
                    try {
                        int status = call(api).statusCode();
                        if (status != 200 && status != 429) {
                            othersRefused.incrementAndGet();
                        }
                        Thread.sleep(150); // an ordinary client's pace, within its plan
                    } catch (Exception e) {
                        othersRefused.incrementAndGet();
                    }
                }
            });
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
                // the detector is up once it commits what it read of the other client's traffic
                long up = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (admin.listConsumerGroupOffsets("eventgate-anomaly-detector").partitionsToOffsetAndMetadata().get().isEmpty()
                        && System.nanoTime() < up) {
                    Thread.sleep(100); // polling the group's committed offsets
                }
                long attackStarted = System.nanoTime();
                int status = 0;
                long deadline = attackStarted + Duration.ofSeconds(15).toNanos();
                while (status != 403 && System.nanoTime() < deadline) {
                    status = attacker.send(HttpRequest.newBuilder(URI.create(api)).header("X-API-Key", "guess-" + System.nanoTime()).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                    assertThat(status).as("refused: the key, the edge's limit on failed logins, or the detector's block").isIn(401, 429, 403);
                }
                double blockedAfter = (System.nanoTime() - attackStarted) / 1e9;
                System.out.printf("failed logins from 127.0.0.2 blocked after %.2f s%n", blockedAfter);
                assertThat(status).as("the attacker's address is blocked").isEqualTo(403);
                assertThat(blockedAfter).as("seconds from the first failed login to the block").isLessThanOrEqualTo(3.0);

                long lapse = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                HttpResponse<String> after = null;
                while (status == 403 && System.nanoTime() < lapse) {
                    Thread.sleep(100); // the block lapses at its expiry; polling the edge for it
                    after = attacker.send(HttpRequest.newBuilder(URI.create(api)).header("X-API-Key", "demo-key").build(),
                            HttpResponse.BodyHandlers.ofString());
                    status = after.statusCode();
                }
                // what remains is the edge's own limit on the address's failed logins, which holds for the rest of its minute
                assertThat(status).as("the block lapsed by itself").isIn(200, 429);
                if (status == 429) {
                    assertThat(after.body()).contains("too_many_failed_authentications");
                }
            } finally {
                running.set(false);
                others.join();
            }
            assertThat(othersRefused.get()).as("the other client was never refused for the attacker's sake").isZero();
        }
    }

    @Test
    void operatorsSwitchResponsesOffThroughTheControlTopic(@TempDir Path dataDir) throws Exception {
        // a short directive life: a block issued before the detector reads the tuning lapses quickly
        Map<String, String> quickDetector = Map.of("GATEWAY_ANOMALY_DETECTOR_WINDOW", "1s", "GATEWAY_ANOMALY_DETECTOR_DIRECTIVE_TTL", "2s",
                "GATEWAY_ANOMALY_DETECTOR_DETECTORS_AUTH_FAILURES_MINIMUM_EXCESS", "10");
        HttpClient attacker = HttpClient.newBuilder().localAddress(java.net.InetAddress.getByName("127.0.0.3")).build();
        try (LocalStack stack = LocalStack.start(LocalStackSmokeTest.settings(dataDir, quickDetector));
             var producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers()), new StringSerializer(),
                     ContractSerdes.of(stack.registryUrl()).<PolicyCommand>serde(Topic.CONTROL).serializer());
             var anomalies = new org.apache.kafka.clients.consumer.KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", stack.bootstrapServers(),
                     "group.id", "operator", "auto.offset.reset", "earliest", "isolation.level", "read_committed"), new org.apache.kafka.common.serialization.StringDeserializer(),
                     ContractSerdes.of(stack.registryUrl()).<io.eventgate.avro.AnomalyEvent>serde(Topic.ANOMALIES).deserializer())) {
            producer.send(new ProducerRecord<>(stack.topics().control(), "detectors:anomaly", ControlLoopTest.command("t1", EntityType.DETECTOR_SETTINGS,
                    "anomaly", "{\"enabled\":false}"))).get();
            anomalies.subscribe(java.util.List.of(stack.topics().anomalies()));
            String api = stack.endpoints().get("edge").replace("/echo/hi", "/api/login");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            io.eventgate.avro.AnomalyEvent reported = null;
            while (reported == null && System.nanoTime() < deadline) {
                for (int i = 0; i < 40; i++) { // a round of failed logins; rounds go on until the detector reports one
                    int status = attacker.send(HttpRequest.newBuilder(URI.create(api)).header("X-API-Key", "guess-" + i).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                    assertThat(status).as("refused: the key, the edge's limit on failed logins, or the detector's block").isIn(401, 429, 403);
                }
                call(api); // moves stream time on, closing the round's window
                for (var record : anomalies.poll(Duration.ofMillis(300))) {
                    if (record.value().getScope().equals("client:127.0.0.3") && record.value().getAction() == null) {
                        reported = record.value();
                    }
                }
            }
            assertThat(reported).as("the attack is reported, with no action taken").isNotNull();
            assertThat(reported.getExplanation()).contains("failed authentications/min");
        }
    }

    HttpResponse<String> call(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("X-API-Key", "demo-key").build(), HttpResponse.BodyHandlers.ofString());
    }
}
