package io.eventgate.analytics.routes;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.analytics.AnalyticsSettings;
import io.eventgate.analytics.AnalyticsStreamsApp;
import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.avro.RouteStats;
import io.eventgate.avro.StatsGranularity;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.testkit.RegistryExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
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

/** Route statistics per minute: window assignment, grace, and sketch percentiles against the exact ones. */
@ExtendWith(RegistryExtension.class)
class RouteStatsTopologyTest {
    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    String registryUrl;
    @TempDir
    Path state;
    TopologyTestDriver driver;
    TestInputTopic<String, RequestEvent> requests;
    TestOutputTopic<String, RouteStats> stats;
    int ids;

    @BeforeEach
    void start(RegistryExtension.TestRegistry registry) {
        registryUrl = registry.url();
        AnalyticsSettings settings = new AnalyticsSettings(null, "unused:9092", registryUrl, null, state, Duration.ofSeconds(30));
        driver = new TopologyTestDriver(AnalyticsStreamsApp.topology(settings), AnalyticsStreamsApp.properties(settings));
        ContractSerdes serdes = ContractSerdes.of(registryUrl);
        Topics topics = Topics.defaults();
        requests = driver.createInputTopic(topics.requests(), new StringSerializer(), serdes.<RequestEvent>serde(Topic.REQUESTS).serializer());
        stats = driver.createOutputTopic(topics.routeStats(), new StringDeserializer(), serdes.<RouteStats>serde(Topic.ROUTE_STATS).deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    void request(String route, Instant at, int status, long latencyMicros) {
        request(route, at, status, latencyMicros, "allow");
    }

    void request(String route, Instant at, int status, long latencyMicros, String decision) {
        requests.pipeInput("anonymous", RequestEvent.newBuilder().setDecision(decision).setRequestId("r" + ++ids).setTraceId("0".repeat(32)).setTimestamp(at)
                .setNode("edge-1").setRouteId(route).setMethod("GET").setPath("/x").setStatus(status).setGatewayLatencyMicros(latencyMicros)
                .setBytesIn(10).setBytesOut(100).setConsumerId("anonymous").setClientAddress("203.0.113.1").setRetries(status >= 500 ? 1 : 0)
                .setOutcome(RequestOutcome.PROXIED).build(), at);
        driver.advanceWallClockTime(Duration.ofSeconds(1)); // forwards the request's partial, as the app does every second
    }

    @Test
    void oneRecordPerRouteAndMinuteWhenTheWindowCloses() {
        Random random = new Random(42);
        List<Long> latencies = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            long latency = 100 + (long) (Math.abs(random.nextGaussian()) * 5_000);
            latencies.add(latency);
            request("api", T0.plusMillis(i * 50L), i % 10 == 0 ? 503 : 200, latency);
        }
        request(null, T0.plusSeconds(30), 404, 50);
        assertThat(stats.isEmpty()).as("nothing until the minute closes").isTrue();

        request("api", T0.plusSeconds(95), 200, 100); // stream time past 10:01 + 30 s grace
        Map<String, RouteStats> closed = stats.readValuesToList().stream().collect(Collectors.toMap(RouteStats::getRouteId, Function.identity()));

        RouteStats api = closed.get("api");
        assertThat(api.getWindowStart()).isEqualTo(T0);
        assertThat(api.getWindowEnd()).isEqualTo(T0.plusSeconds(60));
        assertThat(api.getRequests()).isEqualTo(1000);
        assertThat(api.getStatus2xx()).isEqualTo(900);
        assertThat(api.getStatus5xx()).isEqualTo(100);
        assertThat(api.getRetries()).isEqualTo(100);
        assertThat(api.getBytesOut()).isEqualTo(100_000);
        Collections.sort(latencies);
        assertWithinSketchError(api.getLatencyP50Micros(), exact(latencies, 50));
        assertWithinSketchError(api.getLatencyP95Micros(), exact(latencies, 95));
        assertWithinSketchError(api.getLatencyP99Micros(), exact(latencies, 99));
        assertThat(closed.get("-").getStatus4xx()).as("requests that matched no route").isEqualTo(1);
    }

    @Test
    void lateEventsCountWithinTheGraceAndAreDroppedAfter() {
        request("api", T0.plusSeconds(10), 200, 100);
        request("api", T0.plusSeconds(75), 200, 100);  // stream time 10:01:15, the 10:00 window still open for 15 s
        request("api", T0.plusSeconds(59), 200, 100);  // late, within grace: counted
        request("api", T0.plusSeconds(95), 200, 100);  // closes the 10:00 window
        request("api", T0.plusSeconds(58), 200, 100);  // too late: dropped
        List<RouteStats> closed = stats.readValuesToList();
        assertThat(closed).hasSize(1);
        assertThat(closed.get(0).getRequests()).isEqualTo(2);
    }

    @Test
    void anHourlyRecordCarriesTheHoursFiguresAndDecisionsByKind() {
        request("api", T0.plusSeconds(10), 200, 100);
        request("api", T0.plusSeconds(1_000), 429, 100, "throttle");
        request("api", T0.plusSeconds(2_000), 429, 100, "throttle");
        request("api", T0.plusSeconds(3_000), 403, 100, "deny");
        request("api", T0.plusSeconds(3_600 + 31), 200, 100); // closes the 10:00 hour
        List<RouteStats> hours = stats.readValuesToList().stream().filter(r -> r.getGranularity() == StatsGranularity.HOUR).toList();
        assertThat(hours).hasSize(1);
        assertThat(hours.get(0).getWindowStart()).isEqualTo(T0);
        assertThat(hours.get(0).getWindowEnd()).isEqualTo(T0.plusSeconds(3_600));
        assertThat(hours.get(0).getRequests()).isEqualTo(4);
        assertThat(hours.get(0).getDecisions()).containsExactlyInAnyOrderEntriesOf(Map.of("throttle", 2L, "deny", 1L));
    }

    @Test
    void gRpcCallsAreCountedByTheirStatusThroughMinutesAndHours() {
        for (int code : new int[] {0, 0, 0, 14, 8}) {
            requests.pipeInput("anonymous", RequestEvent.newBuilder().setRequestId("r" + ++ids).setTraceId("0".repeat(32)).setTimestamp(T0.plusSeconds(5))
                    .setNode("edge-1").setRouteId("grpc").setMethod("POST").setPath("/demo.Echo/Say").setStatus(code == 8 ? 429 : 200)
                    .setGatewayLatencyMicros(100).setBytesIn(10).setBytesOut(10).setConsumerId("anonymous").setClientAddress("203.0.113.1")
                    .setOutcome(RequestOutcome.PROXIED).setGrpcStatus(code).build(), T0.plusSeconds(5));
            driver.advanceWallClockTime(Duration.ofSeconds(1));
        }
        request("api", T0.plusSeconds(3_600 + 31), 200, 100); // closes the minute and the hour
        List<RouteStats> grpc = stats.readValuesToList().stream().filter(r -> r.getRouteId().equals("grpc")).toList();
        assertThat(grpc).extracting(RouteStats::getGranularity).containsExactlyInAnyOrder(StatsGranularity.MINUTE, StatsGranularity.HOUR);
        assertThat(grpc).allSatisfy(r -> assertThat(r.getGrpcStatuses())
                .containsExactlyInAnyOrderEntriesOf(Map.of("OK", 3L, "UNAVAILABLE", 1L, "RESOURCE_EXHAUSTED", 1L)));
    }

    @Test
    void queriesMergeMinutesIntoLongerStepsWithPercentilesOfTheMergedSketch() {
        Random random = new Random(7);
        List<Long> latencies = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            long latency = 200 + (long) (Math.abs(random.nextGaussian()) * (i < 300 ? 1_000 : 20_000)); // the later minutes are slower
            latencies.add(latency);
            request("api", T0.plusMillis(i * 500L), 200, latency);
            if (i == 60) {
                request("web", T0.plusSeconds(30), 200, 100);
            }
        }
        RouteStatsQueries queries = new RouteStatsQueries(driver::getWindowStore);

        List<RouteStats> minutes = queries.series("api", T0, T0.plusSeconds(600), Duration.ofMinutes(1));
        assertThat(minutes).extracting(RouteStats::getRequests).containsExactly(120L, 120L, 120L, 120L, 120L);
        assertThat(minutes.get(0).getWindowStart()).isEqualTo(T0);

        List<RouteStats> fiveMinutes = queries.series("api", T0, T0.plusSeconds(600), Duration.ofMinutes(5));
        assertThat(fiveMinutes).hasSize(1);
        assertThat(fiveMinutes.get(0).getRequests()).isEqualTo(600);
        assertThat(fiveMinutes.get(0).getWindowEnd()).isEqualTo(T0.plusSeconds(300));
        Collections.sort(latencies);
        assertWithinSketchError(fiveMinutes.get(0).getLatencyP50Micros(), exact(latencies, 50));
        assertWithinSketchError(fiveMinutes.get(0).getLatencyP99Micros(), exact(latencies, 99));

        assertThat(queries.series("api", T0, T0.plusSeconds(3_600), Duration.ofHours(1)))
                .singleElement().satisfies(hour -> assertThat(hour.getRequests()).isEqualTo(600));
        assertThat(queries.recent(T0, T0.plusSeconds(600))).extracting(RouteStats::getRouteId, RouteStats::getRequests)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("api", 600L), org.assertj.core.groups.Tuple.tuple("web", 1L));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> queries.series("api", T0, T0.plusSeconds(60), Duration.ofSeconds(90)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole number of minutes");
    }

    /** The value at rank q × (n − 1) of the sorted values, the rank DDSketch estimates. */
    static long exact(List<Long> sorted, double percentile) {
        return sorted.get((int) Math.floor(percentile / 100 * (sorted.size() - 1)));
    }

    static void assertWithinSketchError(double sketch, long exact) {
        assertThat(Math.abs(sketch - exact) / exact).as("sketch %s vs exact %s", sketch, exact).isLessThanOrEqualTo(io.eventgate.streams.LatencySketches.RELATIVE_ACCURACY);
    }
}
