package io.eventgate.policy.shares;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.eventgate.avro.DirectiveKind;
import io.eventgate.avro.GlobalLimit;
import io.eventgate.avro.LimitDirective;
import io.eventgate.avro.NodeHeartbeat;
import io.eventgate.policy.PolicyStreamsApp;
import io.eventgate.policy.PolicyStreamsSettings;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.testkit.RegistryExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
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

/** Shares of a global limit: by demand with a floor, redistributed on join and leave, lifted when no node lists the consumer. */
@ExtendWith(RegistryExtension.class)
class ShareTopologyTest {
    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    static final Duration BEAT = Duration.ofMillis(500);
    static final GlobalLimit SIXTY = new GlobalLimit(60.0, 6.0);
    @TempDir
    Path state;
    TopologyTestDriver driver;
    TestInputTopic<String, NodeHeartbeat> nodes;
    TestOutputTopic<String, LimitDirective> limits;
    /** The directives in force, as an edge following gateway.limits would hold them. */
    final Map<String, LimitDirective> inForce = new HashMap<>();
    int published;

    @BeforeEach
    void start(RegistryExtension.TestRegistry registry) {
        PolicyStreamsSettings settings = new PolicyStreamsSettings(null, "unused:9092", registry.url(), null, state, true);
        driver = new TopologyTestDriver(PolicyStreamsApp.topology(settings), PolicyStreamsApp.properties(settings), T0);
        ContractSerdes serdes = ContractSerdes.of(registry.url());
        Topics topics = Topics.defaults();
        nodes = driver.createInputTopic(topics.nodes(), new StringSerializer(), serdes.<NodeHeartbeat>serde(Topic.NODES).serializer());
        limits = driver.createOutputTopic(topics.limits(), new StringDeserializer(), serdes.<LimitDirective>serde(Topic.LIMITS).deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    long elapsed;

    void advance(Duration by) {
        elapsed += by.toMillis();
        driver.advanceWallClockTime(by);
        follow();
    }

    void beat(String node, Map<String, Double> demand, Map<String, GlobalLimit> limits) {
        beat(node, demand, limits, T0.plusMillis(elapsed));
    }

    void beat(String node, Map<String, Double> demand, Map<String, GlobalLimit> limits, Instant sentAt) {
        nodes.pipeInput(node, NodeHeartbeat.newBuilder().setNodeId(node).setStartedAt(T0).setSentAt(sentAt).setAppliedPolicyVersion(0)
                .setConfigChecksum("x").setReady(true).setRequestsPerSecond(0).setInFlight(0).setDemand(demand).setGlobalLimits(limits)
                .setIntervalMillis(BEAT.toMillis()).build(), sentAt);
        follow();
    }

    void follow() {
        limits.readKeyValuesToList().forEach(kv -> {
            published++;
            assertThat(kv.key).as("keyed by scope and source").endsWith("|policy-streams");
            String scope = io.eventgate.schemas.LimitKeys.scopeOf(kv.key);
            if (kv.value == null) {
                inForce.remove(scope);
            } else {
                assertThat(kv.value.getKind()).isEqualTo(DirectiveKind.RATE_SHARE);
                assertThat(kv.value.getScope()).isEqualTo(scope);
                inForce.put(scope, kv.value);
            }
        });
    }

    double share(String node) {
        return inForce.get("consumer:acme@node:" + node).getValue();
    }

    double total() {
        return inForce.values().stream().mapToDouble(LimitDirective::getValue).sum();
    }

    void skewedThreeNodes() {
        beat("edge-1", Map.of("acme", 100.0), Map.of("acme", SIXTY));
        beat("edge-2", Map.of("acme", 30.0), Map.of("acme", SIXTY));
        beat("edge-3", Map.of("acme", 5.0), Map.of("acme", SIXTY));
    }

    @Test
    void sharesFollowDemandAboveAFloorAndAddUpToTheLimit() {
        skewedThreeNodes();
        // floors of 2 each (10 % of 60 over 3 nodes), the other 54 in proportion to 100 : 30 : 5
        assertThat(share("edge-1")).isCloseTo(42.0, within(1e-9));
        assertThat(share("edge-2")).isCloseTo(14.0, within(1e-9));
        assertThat(share("edge-3")).isCloseTo(4.0, within(1e-9));
        assertThat(total()).isCloseTo(60.0, within(1e-9));
        assertThat(inForce.get("consumer:acme@node:edge-1").getBurst()).isCloseTo(4.2, within(1e-9));
        assertThat(inForce.get("consumer:acme@node:edge-1").getExpiresAt()).as("shares are replaced, not expired").isNull();
    }

    @Test
    void aSmallMoveInDemandPublishesNothingAndALargeOneMovesTheShares() {
        skewedThreeNodes();
        int before = published;
        beat("edge-1", Map.of("acme", 100.5), Map.of("acme", SIXTY));
        assertThat(published).as("a change under 1 %% of the limit").isEqualTo(before);

        beat("edge-3", Map.of("acme", 100.0), Map.of("acme", SIXTY));
        assertThat(share("edge-3")).isGreaterThan(20);
        assertThat(total()).isCloseTo(60.0, within(60 * ShareProcessor.REPUBLISH_CHANGE * 3));
    }

    @Test
    void aNodeThatMissesThreeBeatsIsGoneAndItsShareGoesToTheOthers() {
        skewedThreeNodes();
        for (int i = 0; i < 4; i++) {                          // 2 s: edge-3 stays silent
            advance(BEAT);
            beat("edge-1", Map.of("acme", 100.0), Map.of("acme", SIXTY));
            beat("edge-2", Map.of("acme", 30.0), Map.of("acme", SIXTY));
        }
        assertThat(inForce).doesNotContainKey("consumer:acme@node:edge-3");
        assertThat(total()).isCloseTo(60.0, within(1e-9));
        assertThat(share("edge-1")).isCloseTo(3 + 54 * 100 / 130.0, within(1e-9));

        beat("edge-4", Map.of(), Map.of());                    // a node joins: it gets a floor at once
        assertThat(share("edge-4")).isCloseTo(2.0, within(1e-9));
        assertThat(total()).isCloseTo(60.0, within(1e-9));
    }

    @Test
    void sharesAreLiftedWhenNoNodeListsTheConsumer() {
        skewedThreeNodes();
        beat("edge-1", Map.of(), Map.of());
        beat("edge-2", Map.of(), Map.of());
        assertThat(inForce).isNotEmpty();
        beat("edge-3", Map.of(), Map.of());
        assertThat(inForce).isEmpty();
    }

    @Test
    void anOldBeatReplayedFromTheTopicIsIgnored() {
        beat("edge-9", Map.of("acme", 10.0), Map.of("acme", SIXTY), T0.minus(Duration.ofMinutes(10)));
        assertThat(published).isZero();
    }

    @Test
    void withoutDemandTheLimitIsSplitEqually() {
        beat("edge-1", Map.of("acme", 0.0), Map.of("acme", SIXTY));
        beat("edge-2", Map.of(), Map.of());
        assertThat(share("edge-1")).isCloseTo(30.0, within(1e-9));
        assertThat(share("edge-2")).isCloseTo(30.0, within(1e-9));
    }
}
