package io.eventgate.anomaly.rate;

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

/** Labelled scenarios: steady traffic raises nothing; a 10x spike is detected, explained and throttled; allow-listed consumers never are. */
@ExtendWith(RegistryExtension.class)
class RateSpikeTopologyTest {
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

    @BeforeEach
    void start(RegistryExtension.TestRegistry registry) {
        registryUrl = registry.url();
        AnomalySettings settings = new AnomalySettings(null, "unused:9092", registryUrl, null, state, Duration.ofSeconds(10),
                4.0, 20, 6, true, 2.0, Duration.ofMinutes(1), List.of("partner"));
        driver = new TopologyTestDriver(AnomalyDetectorApp.topology(settings), AnomalyDetectorApp.properties(settings));
        ContractSerdes serdes = ContractSerdes.of(registryUrl);
        Topics topics = Topics.defaults();
        requests = driver.createInputTopic(topics.requests(), new StringSerializer(), serdes.<RequestEvent>serde(Topic.REQUESTS).serializer());
        anomalies = driver.createOutputTopic(topics.anomalies(), new StringDeserializer(), serdes.<AnomalyEvent>serde(Topic.ANOMALIES).deserializer());
        limits = driver.createOutputTopic(topics.limits(), new StringDeserializer(), serdes.<LimitDirective>serde(Topic.LIMITS).deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    /** {@code count} requests of {@code consumer} spread over the 10-second window number {@code window}. */
    void window(String consumer, int window, int count) {
        for (int i = 0; i < count; i++) {
            Instant at = T0.plusSeconds(10L * window).plusMillis((long) i * 9_000 / Math.max(1, count));
            requests.pipeInput(consumer, RequestEvent.newBuilder().setRequestId("r" + ++ids).setTraceId("0".repeat(32)).setTimestamp(at)
                    .setNode("edge-1").setRouteId("api").setMethod("GET").setPath("/api").setStatus(200).setGatewayLatencyMicros(100)
                    .setBytesIn(0).setBytesOut(10).setConsumerId(consumer).setPlan("gold").setClientAddress("203.0.113.1")
                    .setOutcome(RequestOutcome.PROXIED).build(), at);
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

        AnomalyEvent anomaly = anomalies.readValue();
        assertThat(anomaly.getKind()).isEqualTo(AnomalyKind.REQUEST_RATE_SPIKE);
        assertThat(anomaly.getScope()).isEqualTo("consumer:acme");
        assertThat(anomaly.getObserved()).isEqualTo(6000.0);
        assertThat(anomaly.getBaseline()).isBetween(540.0, 660.0);
        assertThat(anomaly.getScore()).isGreaterThan(4);
        assertThat(anomaly.getExplanation()).startsWith("consumer acme: 6,000 req/min vs baseline ");
        assertThat(anomaly.getWindowEnd()).isEqualTo(T0.plusSeconds(130));

        LimitDirective throttle = limits.readValue();
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
        assertThat(anomalies.readValue().getAction()).isNull();
        assertThat(limits.isEmpty()).isTrue();
    }
}
