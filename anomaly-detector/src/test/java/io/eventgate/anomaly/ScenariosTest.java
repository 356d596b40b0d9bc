package io.eventgate.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.avro.AnomalyEvent;
import io.eventgate.avro.AnomalyKind;
import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.testkit.RegistryExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Random;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.BuiltInDslStoreSuppliers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Labelled synthetic scenarios through the whole topology: normal traffic (steady and diurnal, a simulated
 * week each) must raise nothing, and each attack or failure must be detected in time. Prints precision and
 * recall over the set.
 */
@ExtendWith(RegistryExtension.class)
class ScenariosTest {
    static final Instant T0 = Instant.parse("2026-11-23T00:00:00Z");

    /**
     * An anomaly that lasts from {@code from} to {@code until}: every detection of its kind and scope in that time is
     * true, and it counts as found when the first comes within {@code within} of its start.
     */
    record Label(AnomalyKind kind, String scope, Instant from, Instant until, Duration within) {
        boolean matches(AnomalyEvent anomaly) {
            return anomaly.getKind() == kind && anomaly.getScope().equals(scope) && anomaly.getWindowEnd().isAfter(from)
                    && anomaly.getWindowStart().isBefore(until);
        }

        boolean foundIn(List<AnomalyEvent> anomalies) {
            return anomalies.stream().anyMatch(a -> matches(a) && !a.getDetectedAt().isAfter(from.plus(within)));
        }
    }

    record Scenario(String name, Duration window, List<Label> labels, Consumer<Traffic> traffic) {
    }

    /** Writes requests into the topology. */
    static final class Traffic {
        final TestInputTopic<String, RequestEvent> requests;
        final Random random = new Random(11);
        int ids;

        Traffic(TestInputTopic<String, RequestEvent> requests) {
            this.requests = requests;
        }

        void request(Instant at, String consumer, String route, String client, int status, long latencyMicros) {
            request(at, consumer, route, client, status, latencyMicros, null);
        }

        void request(Instant at, String consumer, String route, String client, int status, long latencyMicros, String failedCredential) {
            requests.pipeInput(consumer, RequestEvent.newBuilder().setFailedCredential(failedCredential).setRequestId("s" + ++ids).setTraceId("0".repeat(32)).setTimestamp(at)
                    .setNode("edge-1").setRouteId(route).setMethod("GET").setPath("/x").setStatus(status).setGatewayLatencyMicros(latencyMicros)
                    .setBytesIn(0).setBytesOut(10).setConsumerId(consumer).setClientAddress(client)
                    .setUpstreamInstance(route == null ? null : "10.0.0.1:8080").setOutcome(RequestOutcome.PROXIED).build(), at);
        }

        /** {@code count} ordinary requests of consumer acme on route api spread over {@code [from, from + length)}. */
        void normal(Instant from, Duration length, int count, long latencyMicros) {
            for (int i = 0; i < count; i++) {
                Instant at = from.plusMillis(length.toMillis() * i / Math.max(1, count));
                request(at, "acme", "api", "203.0.113." + (1 + i % 20), random.nextInt(1000) == 0 ? 503 : 200,
                        (long) (latencyMicros * (1 + 0.1 * random.nextGaussian())));
            }
        }

        /** Poisson-like noise around {@code mean} (normal approximation, never negative). */
        int around(double mean) {
            return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * random.nextGaussian()));
        }
    }

    static final Duration FIVE_SECONDS = Duration.ofSeconds(5);
    static final Duration MINUTE = Duration.ofMinutes(1);

    static List<Scenario> scenarios() {
        return List.of(
                new Scenario("steady week", MINUTE, List.of(), t -> {
                    for (int m = 0; m < 7 * 24 * 60; m++) {
                        t.normal(T0.plus(MINUTE.multipliedBy(m)), MINUTE, t.around(8), 20_000);
                    }
                }),
                new Scenario("diurnal week", MINUTE, List.of(), t -> {
                    for (int m = 0; m < 7 * 24 * 60; m++) {
                        double mean = 8 * (1 + 0.7 * Math.sin(2 * Math.PI * m / (24 * 60)));
                        t.normal(T0.plus(MINUTE.multipliedBy(m)), MINUTE, t.around(mean), (long) (20_000 * (1 + 0.3 * mean / 8)));
                    }
                }),
                new Scenario("10x request spike", FIVE_SECONDS, List.of(
                        new Label(AnomalyKind.REQUEST_RATE_SPIKE, "consumer:acme", T0.plusSeconds(200), T0.plusSeconds(215), Duration.ofSeconds(10)),
                        new Label(AnomalyKind.REQUEST_RATE_SPIKE, "route:api", T0.plusSeconds(200), T0.plusSeconds(215), Duration.ofSeconds(10))), t -> {
                    for (int w = 0; w < 60; w++) {
                        t.normal(T0.plusSeconds(5L * w), FIVE_SECONDS, t.around(w >= 40 && w < 43 ? 1_000 : 100), 20_000);
                    }
                }),
                new Scenario("50 failed logins in 5 s", FIVE_SECONDS, List.of(
                        new Label(AnomalyKind.AUTH_FAILURES, "client:198.51.100.7", T0.plusSeconds(100), T0.plusSeconds(105), Duration.ofSeconds(10))), t -> {
                    for (int w = 0; w < 40; w++) {
                        Instant start = T0.plusSeconds(5L * w);
                        t.normal(start, FIVE_SECONDS, t.around(200), 20_000);
                        if (w == 20) {
                            for (int i = 0; i < 50; i++) {
                                t.request(start.plusMillis(90L * i), "anonymous", "api", "198.51.100.7", 401, 300);
                            }
                        }
                    }
                }),
                new Scenario("one key from 30 addresses", FIVE_SECONDS, List.of(
                        new Label(AnomalyKind.AUTH_FAILURES, "credential:apikey:5f0c1d2e3a4b6c7d", T0.plusSeconds(100), T0.plusSeconds(105),
                                Duration.ofSeconds(10))), t -> {
                    for (int w = 0; w < 40; w++) {
                        Instant start = T0.plusSeconds(5L * w);
                        t.normal(start, FIVE_SECONDS, t.around(200), 20_000);
                        if (w == 20) {
                            for (int i = 0; i < 60; i++) { // two tries per address: too few to flag any one address
                                t.request(start.plusMillis(70L * i), "anonymous", "api", "198.51.100." + (100 + i % 30), 401, 300, "apikey:5f0c1d2e3a4b6c7d");
                            }
                        }
                    }
                }),
                new Scenario("404 scanning", FIVE_SECONDS, List.of(
                        new Label(AnomalyKind.SCANNING, "client:198.51.100.9", T0.plusSeconds(100), T0.plusSeconds(105), Duration.ofSeconds(10))), t -> {
                    for (int w = 0; w < 40; w++) {
                        Instant start = T0.plusSeconds(5L * w);
                        t.normal(start, FIVE_SECONDS, t.around(200), 20_000);
                        if (w == 20) {
                            for (int i = 0; i < 80; i++) {
                                t.request(start.plusMillis(50L * i), "anonymous", null, "198.51.100.9", 404, 200);
                            }
                        }
                    }
                }),
                new Scenario("latency regression", FIVE_SECONDS, List.of(
                        new Label(AnomalyKind.LATENCY_REGRESSION, "route:api", T0.plusSeconds(150), T0.plusSeconds(300), Duration.ofMinutes(1))), t -> {
                    for (int w = 0; w < 60; w++) {
                        t.normal(T0.plusSeconds(5L * w), FIVE_SECONDS, t.around(100), w >= 30 ? 80_000 : 20_000);
                    }
                }),
                new Scenario("5xx burst", FIVE_SECONDS, List.of(
                        new Label(AnomalyKind.ERROR_RATE, "route:api", T0.plusSeconds(150), T0.plusSeconds(155), Duration.ofSeconds(10)),
                        new Label(AnomalyKind.ERROR_RATE, "upstream:10.0.0.1:8080", T0.plusSeconds(150), T0.plusSeconds(155), Duration.ofSeconds(10))), t -> {
                    for (int w = 0; w < 40; w++) {
                        Instant start = T0.plusSeconds(5L * w);
                        t.normal(start, FIVE_SECONDS, t.around(100), 20_000);
                        if (w == 30) {
                            for (int i = 0; i < 40; i++) {
                                t.request(start.plusMillis(100L * i), "acme", "api", "203.0.113.1", 502, 20_000);
                            }
                        }
                    }
                }));
    }

    @Test
    void everyScenarioIsJudgedRightAndPrecisionAndRecallAreReported(RegistryExtension.TestRegistry registry, @TempDir Path state) throws Exception {
        ContractSerdes serdes = ContractSerdes.of(registry.url());
        int detections = 0;
        int trueDetections = 0;
        int labels = 0;
        int found = 0;
        StringBuilder report = new StringBuilder(String.format(Locale.ROOT, "%n%-24s %8s %10s %8s %8s%n", "scenario", "labels", "detections", "true", "found"));
        for (Scenario scenario : scenarios()) {
            AnomalySettings settings = new AnomalySettings(null, "unused:9092", registry.url(), null,
                    Files.createDirectories(state.resolve(scenario.name().replace(' ', '-'))), scenario.window(), 4.0, 20, 6, true, 2.0,
                    Duration.ofMinutes(1), List.of(), null, null, 0);
            List<AnomalyEvent> anomalies;
            Traffic traffic;
            Properties props = AnomalyDetectorApp.properties(settings);
            // the driver commits after every record, which makes RocksDB the cost of a simulated week; the logic is the same in memory
            props.put(StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG, BuiltInDslStoreSuppliers.InMemoryDslStoreSuppliers.class);
            long started = System.nanoTime();
            try (TopologyTestDriver driver = new TopologyTestDriver(AnomalyDetectorApp.topology(settings), props)) {
                traffic = new Traffic(driver.createInputTopic(Topics.defaults().requests(), new StringSerializer(),
                        serdes.<RequestEvent>serde(Topic.REQUESTS).serializer()));
                scenario.traffic().accept(traffic);
                traffic.request(Instant.ofEpochMilli(0).plus(Duration.ofDays(30000)), "closer", "closer", "192.0.2.1", 200, 1); // closes every window
                anomalies = driver.createOutputTopic(Topics.defaults().anomalies(), new StringDeserializer(),
                        serdes.<AnomalyEvent>serde(Topic.ANOMALIES).deserializer()).readValuesToList();
            }
            List<AnomalyEvent> unexplained = new ArrayList<>();
            for (AnomalyEvent anomaly : anomalies) {
                if (scenario.labels().stream().anyMatch(label -> label.matches(anomaly))) {
                    trueDetections++;
                } else {
                    unexplained.add(anomaly);
                }
            }
            long labelsFound = scenario.labels().stream().filter(label -> label.foundIn(anomalies)).count();
            detections += anomalies.size();
            labels += scenario.labels().size();
            found += (int) labelsFound;
            report.append(String.format(Locale.ROOT, "%-24s %8d %10d %8d %8d   (%d requests, %.1f s)%n", scenario.name(), scenario.labels().size(),
                    anomalies.size(), anomalies.size() - unexplained.size(), labelsFound, traffic.ids, (System.nanoTime() - started) / 1e9));
            unexplained.forEach(a -> report.append("    unexpected: ").append(a.getKind()).append(' ').append(a.getExplanation()).append('\n'));
        }
        double precision = detections == 0 ? 1 : (double) trueDetections / detections;
        double recall = labels == 0 ? 1 : (double) found / labels;
        report.append(String.format(Locale.ROOT, "precision %.3f, recall %.3f over %d scenarios%n", precision, recall, scenarios().size()));
        System.out.print(report);
        assertThat(recall).as(report.toString()).isEqualTo(1.0);
        assertThat(precision).as(report.toString()).isGreaterThanOrEqualTo(0.95);
    }
}
