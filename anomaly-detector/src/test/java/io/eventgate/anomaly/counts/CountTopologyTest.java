package io.eventgate.anomaly.counts;

import io.eventgate.policy.model.DetectorSettings;
import io.eventgate.policy.model.DetectorTuning;
import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.anomaly.AnomalyDetectorApp;
import io.eventgate.anomaly.AnomalySettings;
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
import java.util.Random;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The count detectors' judgements and responses: explanations, throttles, blocks, shedding, the allow-list and the off switch. */
@ExtendWith(RegistryExtension.class)
class CountTopologyTest {
    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    String registryUrl;
    @TempDir
    Path state;
    TopologyTestDriver driver;
    TestInputTopic<String, RequestEvent> requests;
    TestOutputTopic<String, AnomalyEvent> anomalies;
    TestOutputTopic<String, LimitDirective> limits;
    final Random random = new Random(7);
    int ids;
    final java.util.concurrent.atomic.AtomicReference<DetectorTuning> tuning = new java.util.concurrent.atomic.AtomicReference<>();
    io.eventgate.anomaly.Verdicts verdicts;
    io.eventgate.anomaly.DetectorMetrics metrics;

    @BeforeEach
    void start(RegistryExtension.TestRegistry registry) {
        registryUrl = registry.url();
        start(Map.of(), true);
    }

    void start(Map<String, DetectorSettings> detectors, boolean enabled) {
        if (driver != null) {
            driver.close();
            driver = null;
        }
        AnomalySettings settings = new AnomalySettings(null, "unused:9092", registryUrl, null, state, Duration.ofSeconds(10),
                4.0, 20, 6, true, 2.0, Duration.ofMinutes(1), List.of("partner"), detectors, enabled, 0);
        verdicts = new io.eventgate.anomaly.Verdicts(settings, tuning::get);
        metrics = new io.eventgate.anomaly.DetectorMetrics(verdicts);
        driver = new TopologyTestDriver(AnomalyDetectorApp.topology(verdicts, settings, metrics::detected), AnomalyDetectorApp.properties(settings));
        ContractSerdes serdes = ContractSerdes.of(registryUrl);
        Topics topics = Topics.defaults();
        requests = driver.createInputTopic(topics.requests(), new StringSerializer(), serdes.<RequestEvent>serde(Topic.REQUESTS).serializer());
        anomalies = driver.createOutputTopic(topics.anomalies(), new StringDeserializer(), serdes.<AnomalyEvent>serde(Topic.ANOMALIES).deserializer());
        limits = driver.createOutputTopic(topics.limits(), new StringDeserializer(), serdes.<LimitDirective>serde(Topic.LIMITS).deserializer());
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
    }

    /** {@code count} requests of {@code consumer} spread over the 10-second window number {@code window}. */
    void window(String consumer, int window, int count) {
        window(consumer, "api", "203.0.113.1", 200, window, count);
    }

    void window(String consumer, String route, String client, int status, int window, int count) {
        for (int i = 0; i < count; i++) {
            Instant at = T0.plusSeconds(10L * window).plusMillis((long) i * 9_000 / Math.max(1, count));
            requests.pipeInput(consumer, RequestEvent.newBuilder().setRequestId("r" + ++ids).setTraceId("0".repeat(32)).setTimestamp(at)
                    .setNode("edge-1").setRouteId(route).setMethod("GET").setPath("/api").setStatus(status).setGatewayLatencyMicros(100)
                    .setBytesIn(0).setBytesOut(10).setConsumerId(consumer).setPlan("gold").setClientAddress(client)
                    .setUpstreamInstance("10.0.0.1:8080").setOutcome(RequestOutcome.PROXIED).build(), at);
        }
    }

    void steady(String consumer, int fromWindow, int windows) {
        for (int w = fromWindow; w < fromWindow + windows; w++) {
            window(consumer, w, 90 + random.nextInt(21));
        }
    }

    @Test
    void steadyTrafficRaisesNothing() {
        steady("acme", 0, 40);
        window("acme", 41, 1); // closes the last steady window
        assertThat(anomalies.isEmpty()).isTrue();
        assertThat(limits.isEmpty()).isTrue();
    }

    @Test
    void aTenfoldSpikeIsDetectedExplainedAndThrottledUntilItLapses() {
        steady("acme", 0, 12);
        window("acme", 12, 1000);
        window("acme", 14, 100); // the spike's window closes (stream time past its end and grace)

        AnomalyEvent anomaly = anomalies.readValuesToList().stream().filter(a -> a.getScope().equals("consumer:acme")).findFirst().orElseThrow();
        assertThat(anomaly.getKind()).isEqualTo(AnomalyKind.REQUEST_RATE_SPIKE);
        assertThat(anomaly.getScope()).isEqualTo("consumer:acme");
        assertThat(anomaly.getObserved()).isEqualTo(6000.0);
        assertThat(anomaly.getBaseline()).isBetween(540.0, 660.0);
        assertThat(anomaly.getScore()).isGreaterThan(4);
        assertThat(anomaly.getExplanation()).startsWith("consumer acme: 6,000 req/min vs baseline ");
        assertThat(anomaly.getWindowEnd()).isEqualTo(T0.plusSeconds(130));

        var keyed = limits.readKeyValue();
        assertThat(keyed.key).as("the detector's own record on the scope, beside any operator's").isEqualTo("consumer:acme|anomaly-detector");
        LimitDirective throttle = keyed.value;
        assertThat(throttle.getKind()).isEqualTo(DirectiveKind.ADAPTIVE_LIMIT);
        assertThat(throttle.getScope()).isEqualTo("consumer:acme");
        assertThat(throttle.getValue()).as("2x the baseline of ~10 req/s").isBetween(18.0, 22.0);
        assertThat(throttle.getExpiresAt()).isEqualTo(T0.plusSeconds(130).plus(Duration.ofMinutes(1)));
        assertThat(throttle.getSource()).isEqualTo("anomaly-detector");
        assertThat(anomaly.getAction()).contains("throttle to");
    }

    @Test
    void allowListedConsumersAreReportedButNeverThrottled() {
        steady("partner", 0, 12);
        window("partner", 12, 1000);
        window("partner", 14, 100);
        assertThat(anomalies.readValuesToList()).filteredOn(a -> a.getScope().equals("consumer:partner")).singleElement()
                .satisfies(a -> assertThat(a.getAction()).isNull());
        assertThat(limits.isEmpty()).isTrue();
    }

    @Test
    void failedLoginsFromOneAddressBlockItAndTheOffSwitchOnlyReports() {
        steady("acme", 0, 3);
        window("anonymous", "api", "198.51.100.7", 401, 3, 50);
        window("acme", 5, 10);
        LimitDirective block = limits.readValue();
        assertThat(metrics.scrape()).contains("anomaly_detections_total{kind=\"AUTH_FAILURES\"} 1.0").contains("anomaly_directives_total{kind=\"BLOCK\"} 1.0");
        assertThat(block.getKind()).isEqualTo(DirectiveKind.BLOCK);
        assertThat(block.getScope()).isEqualTo("client:198.51.100.7");
        assertThat(block.getExpiresAt()).isEqualTo(T0.plusSeconds(40).plus(Duration.ofMinutes(1)));
        assertThat(anomalies.readValuesToList()).filteredOn(a -> a.getKind() == AnomalyKind.AUTH_FAILURES).singleElement()
                .satisfies(a -> assertThat(a.getExplanation()).isEqualTo("client 198.51.100.7: 300 failed authentications/min vs baseline 0 ± 0"));

        start(Map.of(), false);
        window("anonymous", "api", "198.51.100.8", 401, 3, 50);
        window("acme", 5, 10);
        assertThat(anomalies.readValuesToList()).extracting(AnomalyEvent::getScope).contains("client:198.51.100.8");
        assertThat(limits.isEmpty()).as("responses off: reported only").isTrue();
    }

    @Test
    void aBurstOfServerErrorsShedsTheRouteWhenTheOperatorLetsItAct() {
        start(Map.of("routeErrors", new DetectorSettings(null, null, null, null, true, 0.5, null)), true);
        steady("acme", 0, 12);
        window("acme", "api", "203.0.113.1", 503, 12, 100);
        window("acme", 14, 10);
        assertThat(anomalies.readValuesToList()).extracting(AnomalyEvent::getKind, AnomalyEvent::getScope)
                .contains(org.assertj.core.groups.Tuple.tuple(AnomalyKind.ERROR_RATE, "route:api"), org.assertj.core.groups.Tuple.tuple(AnomalyKind.ERROR_RATE, "upstream:10.0.0.1:8080"));
        LimitDirective shed = limits.readValuesToList().stream().filter(d -> d.getScope().equals("route:api")).findFirst().orElseThrow();
        assertThat(shed.getKind()).isEqualTo(DirectiveKind.ADAPTIVE_LIMIT);
        assertThat(shed.getValue()).as("half of the window's 100 requests per 10 s").isEqualTo(5.0);
    }

    @Test
    void operatorsTuningFromTheControlTopicSwitchesResponsesOffAndExtendsTheAllowList() {
        assertThat(metrics.scrape()).contains("anomaly_responses_enabled 1.0").contains("anomaly_detector_sensitivity{detector=\"authFailures\"} 4.0");
        tuning.set(new DetectorTuning(false, List.of(), Map.of("authFailures", new DetectorSettings(null, 3.0, null, null, null, null, null))));
        assertThat(metrics.scrape()).as("the settings in force, as the operators' tuning changed them")
                .contains("anomaly_responses_enabled 0.0").contains("anomaly_detector_sensitivity{detector=\"authFailures\"} 3.0");
        window("anonymous", "api", "198.51.100.7", 401, 3, 50);
        window("acme", 5, 10);
        assertThat(anomalies.readValuesToList()).extracting(AnomalyEvent::getScope).contains("client:198.51.100.7");
        assertThat(limits.isEmpty()).as("the operators' off switch: reported only").isTrue();

        tuning.set(new DetectorTuning(null, List.of("client:198.51.100.8"), Map.of()));
        window("anonymous", "api", "198.51.100.8", 401, 6, 50);
        window("anonymous", "api", "198.51.100.9", 401, 6, 50);
        window("acme", 8, 10);
        assertThat(limits.readValuesToList()).extracting(LimitDirective::getScope).containsExactly("client:198.51.100.9");

        tuning.set(new DetectorTuning(null, List.of(), Map.of("authFailures", new DetectorSettings(false, null, null, null, null, null, null))));
        window("anonymous", "api", "198.51.100.10", 401, 9, 50);
        window("acme", 11, 10);
        assertThat(anomalies.readValuesToList()).extracting(AnomalyEvent::getScope).doesNotContain("client:198.51.100.10");
    }

    @Test
    void theDetectorsAreTheOnesTheControlTopicKnows() {
        assertThat(java.util.Arrays.stream(io.eventgate.anomaly.Detector.values()).map(io.eventgate.anomaly.Detector::settingName))
                .containsExactlyElementsOf(DetectorTuning.DETECTORS);
        assertThat(java.util.Arrays.stream(io.eventgate.anomaly.Detector.values()).filter(d -> d.response() == io.eventgate.anomaly.Detector.Response.REPORT)
                .map(io.eventgate.anomaly.Detector::settingName)).containsExactlyInAnyOrderElementsOf(DetectorTuning.REPORT_ONLY);
    }

    @Test
    void unknownDetectorsAndActingReportOnlyDetectorsAreRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> start(Map.of("routeErorrs", new DetectorSettings(null, null, null, null, null, null, null)), true))
                .hasMessageContaining("no detector named 'routeErorrs'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> start(Map.of("latency", new DetectorSettings(null, null, null, null, true, null, null)), true))
                .hasMessageContaining("only reports");
    }
}
