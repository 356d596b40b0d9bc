package io.eventgate.policy.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.avro.DirectiveKind;
import io.eventgate.avro.LimitDirective;
import io.eventgate.avro.NodeConfig;
import io.eventgate.avro.PolicyEntity;
import io.eventgate.avro.PolicyEntityType;
import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.avro.StaticEntity;
import io.eventgate.policy.PolicyStreamsApp;
import io.eventgate.policy.PolicyStreamsSettings;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.testkit.RegistryExtension;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Quotas: calendar days and months in the quota zone, billable requests only, warnings, exhaustion until the reset, late events within grace. */
@ExtendWith(RegistryExtension.class)
class QuotaTopologyTest {
    static final Instant DAY1 = Instant.parse("2026-11-26T00:00:00Z");
    static final Instant DAY2 = Instant.parse("2026-11-27T00:00:00Z");
    String registryUrl;
    final Topics topics = Topics.defaults();
    final AtomicInteger ids = new AtomicInteger();
    @TempDir
    Path state;
    TopologyTestDriver driver;
    TestInputTopic<String, RequestEvent> requests;
    TestOutputTopic<String, LimitDirective> limits;

    TestInputTopic<String, PolicyEntity> policies;

    @BeforeEach
    void start(RegistryExtension.TestRegistry registry) {
        registryUrl = registry.url();
        start("UTC");
    }

    void start(String zone) {
        if (driver != null) {
            driver.close();
        }
        PolicyStreamsSettings settings = new PolicyStreamsSettings(null, "unused:9092", registryUrl, null, state.resolve(zone.replace('/', '-')), true, zone);
        driver = new TopologyTestDriver(PolicyStreamsApp.topology(settings), PolicyStreamsApp.properties(settings));
        ContractSerdes serdes = ContractSerdes.of(registryUrl);
        requests = driver.createInputTopic(topics.requests(), new StringSerializer(), serdes.<RequestEvent>serde(Topic.REQUESTS).serializer());
        limits = driver.createOutputTopic(topics.limits(), new StringDeserializer(), serdes.<LimitDirective>serde(Topic.LIMITS).deserializer());
        policies = driver.createInputTopic(topics.policies(), new StringSerializer(), serdes.<PolicyEntity>serde(Topic.POLICIES).serializer());
        plan("gold", "{\"ratePerSecond\":10,\"burst\":20,\"dailyQuota\":3}");
    }

    void plan(String id, String spec) {
        policies.pipeInput("plan:" + id, PolicyEntity.newBuilder().setEntityKey("plan:" + id).setEntityType(PolicyEntityType.PLAN).setEntityId(id)
                .setVersion(1).setSpec(spec).setChecksum("x").setSourceCommandId("c1").setValidatedAt(DAY1).build(), DAY1);
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    void request(String consumer, Instant at, int status, RequestOutcome outcome) {
        request(consumer, "gold", at, status, outcome);
    }

    void request(String consumer, String plan, Instant at, int status, RequestOutcome outcome) {
        requests.pipeInput(consumer, RequestEvent.newBuilder().setRequestId("r" + ids.incrementAndGet()).setTraceId("0".repeat(32)).setTimestamp(at)
                .setNode("edge-1").setRouteId("api").setMethod("GET").setPath("/api").setHost(null).setStatus(status)
                .setGatewayLatencyMicros(100).setBytesIn(0).setBytesOut(10).setConsumerId(consumer).setPlan(consumer.equals("anonymous") ? null : plan)
                .setClientAddress("203.0.113.1").setOutcome(outcome).build(), at);
    }

    @Test
    void theRequestThatReachesTheQuotaExhaustsItUntilUtcMidnight() {
        request("acme", DAY1.plusSeconds(3600), 200, RequestOutcome.PROXIED);
        request("acme", DAY1.plusSeconds(3601), 500, RequestOutcome.PROXIED);          // not billable
        request("acme", DAY1.plusSeconds(3602), 429, RequestOutcome.DENIED);           // not billable
        request("anonymous", DAY1.plusSeconds(3603), 200, RequestOutcome.PROXIED);     // no consumer
        request("acme", DAY1.plusSeconds(3604), 204, RequestOutcome.PROXIED);
        assertThat(limits.isEmpty()).isTrue();
        request("acme", DAY1.plusSeconds(3605), 301, RequestOutcome.PROXIED);

        KeyValue<String, LimitDirective> exhausted = limits.readKeyValue();
        assertThat(exhausted.key).as("one record per scope and source").isEqualTo("consumer:acme|policy-streams");
        assertThat(exhausted.value.getKind()).isEqualTo(DirectiveKind.QUOTA_EXHAUSTED);
        assertThat(exhausted.value.getExpiresAt()).isEqualTo(DAY2);
        assertThat(exhausted.value.getSource()).isEqualTo("policy-streams");
        assertThat(exhausted.value.getReason()).contains("daily quota of 3");

        request("acme", DAY1.plusSeconds(3606), 200, RequestOutcome.PROXIED);
        assertThat(limits.isEmpty()).as("one directive per exhausted day").isTrue();

        request("acme", DAY2.plusSeconds(60), 200, RequestOutcome.PROXIED);
        request("acme", DAY2.plusSeconds(61), 200, RequestOutcome.PROXIED);
        assertThat(limits.isEmpty()).as("a new day starts from zero").isTrue();
        request("acme", DAY2.plusSeconds(62), 200, RequestOutcome.PROXIED);
        assertThat(limits.readValue().getExpiresAt()).isEqualTo(DAY2.plusSeconds(86_400));
    }

    /** A plan only an edge's YAML declares has its quota counted too: policy-streams reads it from gateway.node-config. */
    @Test
    void aPlanDeclaredInAnEdgesConfigurationHasItsQuotaCounted() {
        driver.createInputTopic(topics.nodeConfig(), new StringSerializer(), ContractSerdes.of(registryUrl).<NodeConfig>serde(Topic.NODE_CONFIG).serializer())
                .pipeInput("edge-1", NodeConfig.newBuilder().setNodeId("edge-1").setPublishedAt(DAY1).setChecksum("c").setEntities(List.of(
                        StaticEntity.newBuilder().setEntityKey("plan:trial").setEntityType("PLAN").setEntityId("trial")
                                .setSpec("{\"ratePerSecond\":10,\"burst\":10,\"dailyQuota\":2}").build())).build(), DAY1);
        request("tester", "trial", DAY1.plusSeconds(10), 200, RequestOutcome.PROXIED);
        assertThat(limits.isEmpty()).isTrue();
        request("tester", "trial", DAY1.plusSeconds(11), 200, RequestOutcome.PROXIED);
        LimitDirective exhausted = limits.readValue();
        assertThat(exhausted.getKind()).isEqualTo(DirectiveKind.QUOTA_EXHAUSTED);
        assertThat(exhausted.getReason()).contains("daily quota of 2");
    }

    @Test
    void lateRequestsCountWithinTheGracePeriodOnly() {
        request("late", DAY1.plusSeconds(80_000), 200, RequestOutcome.PROXIED);
        request("late", DAY1.plusSeconds(80_001), 200, RequestOutcome.PROXIED);
        request("other", DAY2.plusSeconds(120), 200, RequestOutcome.PROXIED);         // stream time: 00:02 on day 2
        request("late", DAY1.plusSeconds(86_000), 200, RequestOutcome.PROXIED);      // day 1, two minutes late
        assertThat(limits.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("consumer:late|policy-streams");

        request("tardy", DAY1.plusSeconds(80_000), 200, RequestOutcome.PROXIED);
        request("tardy", DAY1.plusSeconds(80_001), 200, RequestOutcome.PROXIED);
        request("other", DAY2.plusSeconds(900), 200, RequestOutcome.PROXIED);         // stream time: 00:15 on day 2
        request("tardy", DAY1.plusSeconds(86_000), 200, RequestOutcome.PROXIED);     // beyond the 5-minute grace: dropped
        assertThat(limits.readKeyValuesToList()).isEmpty();
    }

    @Test
    void warningsThenAMonthlyExhaustionThatOutlastsTheDailyReset() {
        plan("silver", "{\"ratePerSecond\":10,\"dailyQuota\":4,\"monthlyQuota\":10,\"warningThresholds\":[0.5,0.9]}");
        Instant nov29 = Instant.parse("2026-11-29T08:00:00Z");
        Instant nov30 = Instant.parse("2026-11-30T08:00:00Z");
        Instant dec1 = Instant.parse("2026-12-01T00:00:00Z");
        for (int i = 0; i < 2; i++) {
            request("zed", "silver", nov29.plusSeconds(i), 200, RequestOutcome.PROXIED);
        }
        LimitDirective halfDay = limits.readValue();
        assertThat(halfDay.getKind()).isEqualTo(DirectiveKind.QUOTA_WARNING);
        assertThat(halfDay.getValue()).as("2 of the daily 4").isEqualTo(0.5);
        assertThat(halfDay.getReason()).contains("50 % of its daily quota of 4");
        assertThat(halfDay.getExpiresAt()).isEqualTo(Instant.parse("2026-11-30T00:00:00Z"));
        assertThat(halfDay.getRemaining()).as("the day's 2 left, tighter than the month's 8: what an edge counts down").isEqualTo(2L);

        request("zed", "silver", nov29.plusSeconds(2), 200, RequestOutcome.PROXIED);
        request("zed", "silver", nov29.plusSeconds(3), 200, RequestOutcome.PROXIED);
        List<LimitDirective> dayOne = limits.readValuesToList();
        assertThat(dayOne).extracting(LimitDirective::getKind).contains(DirectiveKind.QUOTA_EXHAUSTED);
        LimitDirective dailyExhausted = dayOne.get(dayOne.size() - 1);
        assertThat(dailyExhausted.getKind()).isEqualTo(DirectiveKind.QUOTA_EXHAUSTED);
        assertThat(dailyExhausted.getExpiresAt()).as("lifted at the daily reset").isEqualTo(Instant.parse("2026-11-30T00:00:00Z"));

        for (int i = 0; i < 6; i++) { // the next day: 4 more for the day, 10 in the month
            request("zed", "silver", nov30.plusSeconds(i), 200, RequestOutcome.PROXIED);
        }
        LimitDirective monthly = limits.readValuesToList().stream().reduce((a, b) -> b).orElseThrow();
        assertThat(monthly.getKind()).isEqualTo(DirectiveKind.QUOTA_EXHAUSTED);
        assertThat(monthly.getExpiresAt()).as("the month outlasts the day").isEqualTo(dec1);
        assertThat(monthly.getReason()).contains("monthly quota of 10");

        request("zed", "silver", dec1.plusSeconds(60), 200, RequestOutcome.PROXIED);
        assertThat(limits.isEmpty()).as("a new month and day start from zero").isTrue();
    }

    @Test
    void daysFollowTheQuotaZone() {
        start("Europe/Berlin");
        Instant lateEvening = Instant.parse("2026-11-26T22:10:00Z"); // 23:10 in Berlin
        for (int i = 0; i < 3; i++) {
            request("acme", lateEvening.plusSeconds(i), 200, RequestOutcome.PROXIED);
        }
        LimitDirective exhausted = limits.readValue();
        assertThat(exhausted.getKind()).isEqualTo(DirectiveKind.QUOTA_EXHAUSTED);
        assertThat(exhausted.getExpiresAt()).as("midnight in Berlin").isEqualTo(Instant.parse("2026-11-26T23:00:00Z"));
        request("acme", Instant.parse("2026-11-26T23:05:00Z"), 200, RequestOutcome.PROXIED);
        assertThat(limits.isEmpty()).as("already the next day in Berlin").isTrue();
    }
}
