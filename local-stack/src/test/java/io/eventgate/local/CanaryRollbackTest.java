package io.eventgate.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.avro.AnomalyEvent;
import io.eventgate.avro.AnomalyKind;
import io.eventgate.avro.EntityType;
import io.eventgate.avro.PolicyCommand;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.serde.ContractSerdes;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A canary that rolls back itself, end to end through the local stack: a route splits 80/20 between a stable pool and a
 * canary pool whose instance fails one request in five; the edge's RequestEvents name each variant, the detector finds
 * the canary worse than the stable variant over the same window, explains it and issues a rollback, every request then
 * goes to the stable pool, and an operator's restore gives the canary its share again.
 */
class CanaryRollbackTest {
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aCanaryFailingOneRequestInFiveIsRolledBackAndAnOperatorRestoresIt(@TempDir Path dataDir) throws Exception {
        AtomicInteger canaryCalls = new AtomicInteger();
        WebServer stable = WebServer.builder().host("127.0.0.1").port(0).routing(r -> r.any((req, res) -> res.send("stable"))).build().start();
        WebServer canary = WebServer.builder().host("127.0.0.1").port(0).routing(r -> r.any((req, res) -> {
            if (canaryCalls.incrementAndGet() % 5 == 0) {
                res.status(Status.INTERNAL_SERVER_ERROR_500).send("canary failed");
            } else {
                res.send("canary");
            }
        })).build().start();
        Map<String, String> quickDetector = Map.of("GATEWAY_ANOMALY_DETECTOR_WINDOW", "3s",
                "GATEWAY_ANOMALY_DETECTOR_DETECTORS_CANARY_MINIMUM_REQUESTS", "30");
        try (LocalStack stack = LocalStack.start(LocalStackSmokeTest.settings(dataDir, quickDetector));
             var producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers()), new StringSerializer(),
                     ContractSerdes.of(stack.registryUrl()).<PolicyCommand>serde(Topic.CONTROL).serializer());
             var anomalies = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", stack.bootstrapServers(), "group.id", "operator",
                     "auto.offset.reset", "earliest", "isolation.level", "read_committed"), new StringDeserializer(),
                     ContractSerdes.of(stack.registryUrl()).<AnomalyEvent>serde(Topic.ANOMALIES).deserializer())) {
            ControlLoopTest.awaitNodeConfig(stack, ContractSerdes.of(stack.registryUrl()));
            send(producer, stack, "pool:shop-stable", ControlLoopTest.command("p1", EntityType.UPSTREAM_POOL, "shop-stable",
                    "{\"instances\":[{\"url\":\"http://127.0.0.1:" + stable.port() + "\"}]}"));
            send(producer, stack, "pool:shop-canary", ControlLoopTest.command("p2", EntityType.UPSTREAM_POOL, "shop-canary",
                    "{\"instances\":[{\"url\":\"http://127.0.0.1:" + canary.port() + "\"}]}"));
            send(producer, stack, "route:shop", ControlLoopTest.command("r1", EntityType.ROUTE, "shop",
                    "{\"id\":\"shop\",\"match\":{\"paths\":[\"/shop/**\"]},\"upstreams\":[{\"pool\":\"shop-stable\",\"weight\":80},"
                            + "{\"pool\":\"shop-canary\",\"weight\":20}]}"));
            String shop = stack.endpoints().get("edge").replace("/echo/hi", "/shop/cart");
            long applied = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (get(shop).statusCode() == 404 && System.nanoTime() < applied) {
                Thread.sleep(50); // the route reaches the edge through policy-streams
            }

            anomalies.subscribe(List.of(stack.topics().anomalies()));
            AnomalyEvent rollback = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (rollback == null && System.nanoTime() < deadline) {
                for (int i = 0; i < 100; i++) {
                    get(shop); // traffic until the detector has judged a window of it
                }
                for (var record : anomalies.poll(Duration.ofMillis(100))) {
                    if (record.value().getKind() == AnomalyKind.CANARY_REGRESSION) {
                        rollback = record.value();
                    }
                }
            }
            assertThat(rollback).as("the canary's regression, detected and explained").isNotNull();
            assertThat(rollback.getScope()).isEqualTo("route:shop@variant:shop-canary");
            assertThat(rollback.getExplanation()).startsWith("route shop: variant shop-canary answered ").contains("% 5xx")
                    .contains("of main variant shop-stable in the same window; two-proportion z = ");
            var rate = java.util.regex.Pattern.compile("answered ([0-9.]+) % 5xx").matcher(rollback.getExplanation());
            assertThat(rate.find()).isTrue();
            assertThat(Double.parseDouble(rate.group(1))).as("one in five failed, whichever window").isBetween(15.0, 25.0);
            assertThat(rollback.getAction()).startsWith("rolled back: weight 0");

            // the directive reaches the edge: from then on every request goes to the stable pool
            long settled = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int stableInARow = 0;
            while (stableInARow < 50 && System.nanoTime() < settled) {
                stableInARow = get(shop).body().equals("stable") ? stableInARow + 1 : 0;
            }
            assertThat(stableInARow).as("fifty answers in a row from the stable pool").isEqualTo(50);
            int canaryBefore = canaryCalls.get();
            for (int i = 0; i < 100; i++) {
                assertThat(get(shop).body()).isEqualTo("stable");
            }
            assertThat(canaryCalls.get()).as("the rolled-back canary takes no traffic").isEqualTo(canaryBefore);
            String dashboardAnomalies = get(stack.endpoints().get("dashboard") + "anomalies").body();
            assertThat(dashboardAnomalies).as("the dashboard's anomalies").contains("route:shop@variant:shop-canary").contains("rolled back");

            // what ctl canary restore sends
            send(producer, stack, "limit:route:shop@variant:shop-canary", ControlLoopTest.command("x1", EntityType.LIMIT, "route:shop@variant:shop-canary",
                    "{\"kind\":\"RESTORE\",\"reason\":\"fixed\"}"));
            long restored = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (canaryCalls.get() == canaryBefore && System.nanoTime() < restored) {
                get(shop);
            }
            assertThat(canaryCalls.get()).as("restored, the canary takes its share again").isGreaterThan(canaryBefore);
        } finally {
            stable.stop();
            canary.stop();
        }
    }

    static void send(KafkaProducer<String, PolicyCommand> producer, LocalStack stack, String key, PolicyCommand command) throws Exception {
        producer.send(new ProducerRecord<>(stack.topics().control(), key, command)).get();
    }

    HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
