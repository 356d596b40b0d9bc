package io.eventgate.analytics.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.analytics.AnalyticsSettings;
import io.eventgate.analytics.AnalyticsStreamsApp;
import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.avro.RouteUsage;
import io.eventgate.avro.UsageGranularity;
import io.eventgate.avro.UsageRecord;
import io.eventgate.schemas.EventHeaders;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.testkit.RegistryExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
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

/** Billing usage per consumer and hour: billable status classes, per-route breakdown, corrections by revision, grace. */
@ExtendWith(RegistryExtension.class)
class UsageTopologyTest {
    static final Instant H10 = Instant.parse("2026-11-26T10:00:00Z");
    @TempDir
    Path state;
    TopologyTestDriver driver;
    TestInputTopic<String, RequestEvent> requests;
    TestOutputTopic<String, UsageRecord> usage;
    int ids;

    @BeforeEach
    void start(RegistryExtension.TestRegistry registry) {
        AnalyticsSettings settings = new AnalyticsSettings(null, "unused:9092", registry.url(), null, state, Duration.ofSeconds(30),
                Duration.ofMinutes(10), List.of(2, 3), null, null);
        driver = new TopologyTestDriver(AnalyticsStreamsApp.topology(settings), AnalyticsStreamsApp.properties(settings));
        ContractSerdes serdes = ContractSerdes.of(registry.url());
        requests = driver.createInputTopic(Topics.defaults().requests(), new StringSerializer(), serdes.<RequestEvent>serde(Topic.REQUESTS).serializer());
        usage = driver.createOutputTopic(Topics.defaults().usage(), new StringDeserializer(), serdes.<UsageRecord>serde(Topic.USAGE).deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    void request(String consumer, String route, Instant at, int status) {
        requests.pipeInput(consumer, RequestEvent.newBuilder().setRequestId("r" + ++ids).setTraceId("0".repeat(32)).setTimestamp(at)
                .setNode("edge-1").setRouteId(route).setMethod("GET").setPath("/x").setStatus(status).setGatewayLatencyMicros(100)
                .setBytesIn(10).setBytesOut(100).setConsumerId(consumer).setPlan(consumer.equals("anonymous") ? null : "gold")
                .setClientAddress("203.0.113.1").setOutcome(status == 429 ? RequestOutcome.DENIED : RequestOutcome.PROXIED).build(), at);
        driver.advanceWallClockTime(Duration.ofSeconds(1)); // forwards the request's partial, as the app does every second
    }

    /** An edge's event with its node and sequence headers, as the edge publishes it (again, flagged, after a crash). */
    void fromEdge(String node, long sequence, boolean redelivered, RequestEvent event) {
        var headers = new org.apache.kafka.common.header.internals.RecordHeaders();
        headers.add(EventHeaders.NODE, node.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        headers.add(EventHeaders.SEQUENCE, EventHeaders.sequenceBytes(sequence));
        if (redelivered) {
            headers.add(EventHeaders.REDELIVERY, new byte[] {'1'});
        }
        requests.pipeInput(new org.apache.kafka.streams.test.TestRecord<>(event.getConsumerId(), event, headers, event.getTimestamp()));
        driver.advanceWallClockTime(Duration.ofSeconds(1));
    }

    RequestEvent event(String id, Instant at, int status, RequestOutcome outcome) {
        return RequestEvent.newBuilder().setRequestId(id).setTraceId("0".repeat(32)).setTimestamp(at)
                .setNode("edge-1").setRouteId("api").setMethod("GET").setPath("/x").setStatus(status).setGatewayLatencyMicros(100)
                .setBytesIn(10).setBytesOut(100).setConsumerId("acme").setPlan("gold").setClientAddress("203.0.113.1").setOutcome(outcome).build();
    }

    @Test
    void eachRequestCountsOnceWhenAnEdgeSendsItAgainAfterACrashAndCutOffRequestsAreNeverBilled() {
        fromEdge("edge-1", 10, false, event("a", H10.plusSeconds(60), 200, RequestOutcome.PROXIED));
        fromEdge("edge-1", 11, false, event("b", H10.plusSeconds(61), 200, RequestOutcome.PROXIED));
        fromEdge("edge-2", 5, false, event("c", H10.plusSeconds(62), 200, RequestOutcome.PROXIED)); // another node numbers its own
        // edge-1 crashed after Kafka had a and b, before its cursor moved: it sends them again, then what it had not sent
        fromEdge("edge-1", 10, true, event("a", H10.plusSeconds(60), 200, RequestOutcome.PROXIED));
        fromEdge("edge-1", 11, true, event("b", H10.plusSeconds(61), 200, RequestOutcome.PROXIED));
        fromEdge("edge-1", 12, true, event("d", H10.plusSeconds(63), 200, RequestOutcome.PROXIED));
        fromEdge("edge-1", 13, false, event("e", H10.plusSeconds(64), 0, RequestOutcome.EDGE_CRASHED));
        fromEdge("edge-1", 12, true, event("d", H10.plusSeconds(63), 200, RequestOutcome.PROXIED)); // and once more

        UsageRecord hour = latest(usage.readValuesToList(), "acme", H10);
        assertThat(hour.getTotalRequests()).as("a, b, c, d and the cut-off e, each once").isEqualTo(5);
        assertThat(hour.getBillableRequests()).as("a, b, c and d; never e").isEqualTo(4);
    }

    /** What billing keeps: the highest revision of the consumer's hourly record for the window starting at {@code start}. */
    UsageRecord latest(List<UsageRecord> records, String consumer, Instant start) {
        return latest(records, consumer, start, UsageGranularity.HOUR);
    }

    UsageRecord latest(List<UsageRecord> records, String consumer, Instant start, UsageGranularity granularity) {
        return records.stream().filter(r -> r.getConsumerId().equals(consumer) && r.getWindowStart().equals(start) && r.getGranularity() == granularity)
                .max(Comparator.comparingInt(UsageRecord::getRevision)).orElseThrow();
    }

    @Test
    void billableRequestsPerRouteAddUpAndTheHighestRevisionHoldsTheTotal() {
        request("acme", "api", H10.plusSeconds(60), 200);
        request("acme", "api", H10.plusSeconds(61), 304);
        request("acme", "api", H10.plusSeconds(62), 500);
        request("acme", "api", H10.plusSeconds(63), 429);
        request("acme", "other", H10.plusSeconds(64), 201);
        request("anonymous", "api", H10.plusSeconds(65), 200);

        List<UsageRecord> records = usage.readValuesToList();
        UsageRecord hour = latest(records, "acme", H10);
        assertThat(hour.getBillableRequests()).isEqualTo(3);
        assertThat(hour.getTotalRequests()).isEqualTo(5);
        assertThat(hour.getBytesOut()).isEqualTo(500);
        assertThat(hour.getRevision()).isEqualTo(5);
        assertThat(hour.getWindowEnd()).isEqualTo(H10.plusSeconds(3600));
        assertThat(hour.getPlan()).isEqualTo("gold");
        assertThat(hour.getRoutes()).extracting(RouteUsage::getRouteId, RouteUsage::getBillableRequests, RouteUsage::getTotalRequests)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("api", 2L, 4L), org.assertj.core.groups.Tuple.tuple("other", 1L, 1L));
        assertThat(records).noneMatch(r -> r.getConsumerId().equals("anonymous"));
    }

    @Test
    void aLateRequestWithinGraceIssuesACorrectionAndOneAfterItIsDropped() {
        request("acme", "api", H10.plusSeconds(60), 200);
        request("acme", "api", H10.plusSeconds(3_900), 200);       // stream time 11:05, the 10:00 hour still open for 5 minutes
        request("acme", "api", H10.plusSeconds(3_000), 200);       // late, within grace
        UsageRecord corrected = latest(usage.readValuesToList(), "acme", H10);
        assertThat(corrected.getBillableRequests()).isEqualTo(2);
        assertThat(corrected.getRevision()).isEqualTo(2);

        request("acme", "api", H10.plusSeconds(4_500), 200);       // stream time 11:15: the 10:00 hour is closed
        usage.readValuesToList();
        request("acme", "api", H10.plusSeconds(3_100), 200);       // too late: dropped
        assertThat(usage.readValuesToList()).noneMatch(r -> r.getWindowStart().equals(H10));
    }

    @Test
    void theDailyRecordSumsTheDaysHoursAndTheQueriesReadBoth() {
        Instant day = H10.truncatedTo(java.time.temporal.ChronoUnit.DAYS);
        request("acme", "api", H10.plusSeconds(60), 200);
        request("acme", "api", H10.plusSeconds(3_700), 200);
        request("acme", "api", H10.plusSeconds(7_300), 500);
        request("zeta", "api", H10.plusSeconds(7_301), 200);
        request("zeta", "api", H10.plusSeconds(7_302), 200);
        List<UsageRecord> records = usage.readValuesToList();
        UsageRecord daily = latest(records, "acme", day, UsageGranularity.DAY);
        assertThat(daily.getWindowEnd()).isEqualTo(day.plus(Duration.ofDays(1)));
        assertThat(daily.getBillableRequests()).isEqualTo(2);
        assertThat(daily.getTotalRequests()).isEqualTo(3);
        assertThat(records.stream().filter(r -> r.getGranularity() == UsageGranularity.HOUR && r.getConsumerId().equals("acme"))
                .map(UsageRecord::getWindowStart).distinct()).hasSize(3);

        UsageQueries queries = new UsageQueries(driver::getWindowStore);
        assertThat(queries.usage("acme", H10, H10.plusSeconds(3 * 3_600), UsageGranularity.HOUR))
                .extracting(UsageRecord::getBillableRequests).containsExactly(1L, 1L, 0L);
        assertThat(queries.usage("acme", day, day.plus(Duration.ofDays(1)), UsageGranularity.DAY))
                .singleElement().satisfies(r -> assertThat(r.getTotalRequests()).isEqualTo(3));
        assertThat(queries.totals(H10, H10.plusSeconds(3 * 3_600)))
                .containsExactly(new UsageQueries.ConsumerTotals("acme", 3, 2, 30, 300), new UsageQueries.ConsumerTotals("zeta", 2, 2, 20, 200));
    }
}
