package io.eventgate.anomaly.canary;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.anomaly.AnomalyDetectorApp;
import io.eventgate.anomaly.AnomalySettings;
import io.eventgate.anomaly.Verdicts;
import io.eventgate.avro.AnomalyEvent;
import io.eventgate.avro.AnomalyKind;
import io.eventgate.avro.DirectiveKind;
import io.eventgate.avro.LimitDirective;
import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.testkit.RegistryExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The canary detector through the whole detector topology: regressions rolled back and explained, alike variants and small samples left alone. */
@ExtendWith(RegistryExtension.class)
class CanaryTopologyTest {
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    @TempDir
    Path state;
    TopologyTestDriver driver;
    TestInputTopic<String, RequestEvent> requests;
    TestOutputTopic<String, AnomalyEvent> anomalies;
    TestOutputTopic<String, LimitDirective> limits;
    int ids;

    void start(RegistryExtension.TestRegistry registry, boolean responses) {
        AnomalySettings settings = new AnomalySettings(null, "unused:9092", registry.url(), null, state, Duration.ofSeconds(10),
                4.0, 20, 6, true, 2.0, Duration.ofMinutes(1), List.of(), Map.of(), responses, 0);
        driver = new TopologyTestDriver(AnomalyDetectorApp.topology(new Verdicts(settings), settings, detection -> { }),
                AnomalyDetectorApp.properties(settings));
        ContractSerdes serdes = ContractSerdes.of(registry.url());
        Topics topics = Topics.defaults();
        requests = driver.createInputTopic(topics.requests(), new StringSerializer(), serdes.<RequestEvent>serde(Topic.REQUESTS).serializer());
        anomalies = driver.createOutputTopic(topics.anomalies(), new StringDeserializer(), serdes.<AnomalyEvent>serde(Topic.ANOMALIES).deserializer());
        limits = driver.createOutputTopic(topics.limits(), new StringDeserializer(), serdes.<LimitDirective>serde(Topic.LIMITS).deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    /** {@code count} requests of {@code variant} in 10-second window {@code window}, every {@code failEvery}-th a 503 (0: none). */
    void answers(String variant, int window, int count, int failEvery, long fromMicros, long toMicros) {
        for (int i = 0; i < count; i++) {
            Instant at = T0.plusSeconds(10L * window).plusMillis((long) i * 9_000 / count);
            int status = failEvery > 0 && i % failEvery == 0 ? 503 : 200;
            requests.pipeInput("anonymous", RequestEvent.newBuilder().setRequestId("r" + ++ids).setTraceId("0".repeat(32)).setTimestamp(at)
                    .setNode("edge-1").setRouteId("orders").setMethod("GET").setPath("/orders/1").setStatus(status)
                    .setGatewayLatencyMicros(fromMicros + (toMicros - fromMicros) * i / count).setBytesIn(0).setBytesOut(10).setConsumerId("anonymous")
                    .setClientAddress("203.0.113.9").setOutcome(RequestOutcome.PROXIED).setVariant(variant).build(), at);
        }
    }

    /** The canary regression the closed window raised. */
    AnomalyEvent regression() {
        return anomalies.readValuesToList().stream().filter(a -> a.getKind() == AnomalyKind.CANARY_REGRESSION).findFirst().orElseThrow();
    }

    void closeWindow(int window) {
        answers("stable", window + 2, 1, 0, 1_000, 1_000); // moves stream time past the window and its grace
    }

    @Test
    void aCanaryFailingOneRequestInFiveIsRolledBackWithItsExplanation(RegistryExtension.TestRegistry registry) {
        start(registry, true);
        answers("stable", 0, 400, 0, 1_000, 2_000);
        answers("canary", 0, 100, 5, 1_000, 2_000);
        closeWindow(0);

        AnomalyEvent anomaly = regression();
        assertThat(anomaly.getScope()).isEqualTo("route:orders@variant:canary");
        assertThat(anomaly.getExplanation()).isEqualTo("route orders: variant canary answered 20.0 % 5xx (20 of 100) against 0.0 % (0 of 400) of main"
                + " variant stable in the same window; two-proportion z = 9.1 >= 3.0");
        assertThat(anomaly.getScore()).isGreaterThan(9);
        assertThat(anomaly.getAction()).startsWith("rolled back: weight 0").contains("ctl canary restore orders canary");
        TestRecord<String, LimitDirective> rollback = limits.readRecord();
        assertThat(rollback.key()).isEqualTo("route:orders@variant:canary|anomaly-detector");
        assertThat(rollback.value().getKind()).isEqualTo(DirectiveKind.ROLLBACK);
        assertThat(rollback.value().getExpiresAt()).as("until an operator restores it").isNull();
        assertThat(rollback.value().getReason()).isEqualTo(anomaly.getExplanation());
        assertThat(limits.isEmpty()).isTrue();
    }

    @Test
    void alikeVariantsAndSamplesBelowTheMinimumAreLeftAlone(RegistryExtension.TestRegistry registry) {
        start(registry, true);
        answers("stable", 0, 400, 100, 1_000, 2_000); // 1 % each
        answers("canary", 0, 100, 100, 1_000, 2_000);
        answers("stable", 1, 400, 0, 1_000, 2_000);
        answers("canary", 1, 40, 5, 1_000, 2_000); // 20 % failing, but 40 requests are fewer than the minimum of 50
        closeWindow(1);
        assertThat(anomalies.readValuesToList()).noneMatch(a -> a.getKind() == AnomalyKind.CANARY_REGRESSION);
        assertThat(limits.isEmpty()).isTrue();
    }

    @Test
    void aSlowerCanaryIsRolledBackByTheLatencyTest(RegistryExtension.TestRegistry registry) {
        start(registry, true);
        answers("stable", 0, 400, 0, 1_000, 2_000);
        answers("canary", 0, 100, 0, 2_500, 4_000);
        closeWindow(0);
        AnomalyEvent anomaly = regression();
        assertThat(anomaly.getExplanation()).startsWith("route orders: variant canary p95 3.9 ms against 1.9 ms of main variant stable")
                .contains("100 % of its 100 requests were slower than the main p95");
        assertThat(limits.readValue().getKind()).isEqualTo(DirectiveKind.ROLLBACK);
    }

    @Test
    void withResponsesOffARegressionIsOnlyReported(RegistryExtension.TestRegistry registry) {
        start(registry, false);
        answers("stable", 0, 400, 0, 1_000, 2_000);
        answers("canary", 0, 100, 5, 1_000, 2_000);
        closeWindow(0);
        AnomalyEvent anomaly = regression();
        assertThat(anomaly.getAction()).isNull();
        assertThat(limits.isEmpty()).isTrue();
    }
}
