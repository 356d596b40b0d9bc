package io.eventgate.analytics.deprecations;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.analytics.AnalyticsSettings;
import io.eventgate.analytics.AnalyticsStreamsApp;
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
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Calls to deprecated routes counted per route, consumer and hour, as the query API reads them. */
@ExtendWith(RegistryExtension.class)
class DeprecationTopologyTest {
    static final Instant H10 = Instant.parse("2026-11-26T10:00:00Z");
    @TempDir
    Path state;
    TopologyTestDriver driver;
    TestInputTopic<String, RequestEvent> requests;
    int ids;

    @BeforeEach
    void start(RegistryExtension.TestRegistry registry) {
        AnalyticsSettings settings = new AnalyticsSettings(null, "unused:9092", registry.url(), null, state, Duration.ofSeconds(30),
                Duration.ofMinutes(10), List.of(2, 3), null, null);
        driver = new TopologyTestDriver(AnalyticsStreamsApp.topology(settings), AnalyticsStreamsApp.properties(settings));
        requests = driver.createInputTopic(Topics.defaults().requests(), new StringSerializer(),
                ContractSerdes.of(registry.url()).<RequestEvent>serde(Topic.REQUESTS).serializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    void request(String consumer, String route, boolean deprecated, Instant at) {
        requests.pipeInput(consumer, RequestEvent.newBuilder().setRequestId("r" + ++ids).setTraceId("0".repeat(32)).setTimestamp(at)
                .setNode("edge-1").setRouteId(route).setMethod("GET").setPath("/x").setStatus(200).setGatewayLatencyMicros(100)
                .setBytesIn(10).setBytesOut(100).setConsumerId(consumer).setClientAddress("203.0.113.1").setOutcome(RequestOutcome.PROXIED)
                .setDeprecated(deprecated).build(), at);
    }

    @Test
    void deprecatedCallsAreCountedPerRouteConsumerAndHour() {
        request("acme", "orders-v1", true, H10.plusSeconds(1));
        request("acme", "orders-v1", true, H10.plusSeconds(2));
        request("globex", "orders-v1", true, H10.plusSeconds(3));
        request("acme", "orders-v2", false, H10.plusSeconds(4));
        request("acme", "orders-v1", true, H10.plus(Duration.ofMinutes(90)));

        DeprecationQueries queries = new DeprecationQueries(driver::getWindowStore);
        Map<DeprecationQueries.Calls, Long> hour10 = queries.totals(H10, H10.plus(Duration.ofHours(1)));
        assertThat(hour10).containsExactly(Map.entry(new DeprecationQueries.Calls("orders-v1", "acme"), 2L),
                Map.entry(new DeprecationQueries.Calls("orders-v1", "globex"), 1L));
        assertThat(queries.totals(H10, H10.plus(Duration.ofHours(2))).get(new DeprecationQueries.Calls("orders-v1", "acme"))).isEqualTo(3L);
    }
}
