package io.eventgate.edge.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.avro.DirectiveKind;
import io.eventgate.avro.LimitDirective;
import io.eventgate.avro.NodeHeartbeat;
import io.eventgate.demo.DemoUpstream;
import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.auth.ApiKeys;
import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.policy.model.ConsumerSettings;
import io.eventgate.policy.model.PlanSettings;
import io.eventgate.schemas.LimitKeys;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Directives on gateway.limits change what a running edge admits, and lapse by themselves. */
@ExtendWith(KafkaExtension.class)
class DirectiveTest {
    final HttpClient http = HttpClient.newHttpClient();

    static LimitDirective directive(String scope, DirectiveKind kind, Double value, Instant expiresAt, long version) {
        return LimitDirective.newBuilder().setScope(scope).setKind(kind).setSource("operator:test").setValue(value).setBurst(value)
                .setReason(kind + " for " + scope).setIssuedAt(Instant.now()).setExpiresAt(expiresAt).setVersion(version).build();
    }

    int status(EdgeServer edge, String path, String key) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path));
            if (key != null) {
                request.header("X-API-Key", key);
            }
            return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    /** A producer of directives to the test's gateway.limits. */
    static KafkaProducer<String, LimitDirective> directives(TestKafka kafka) {
        return new KafkaProducer<>(kafka.producerConfig(Map.of()), new StringSerializer(),
                ContractSerdes.of(kafka.registryUrl()).<LimitDirective>serde(Topic.LIMITS).serializer());
    }

    /** The settings of a node with consumer acme (key acme-key, plan gold) and these routes to the demo upstream. */
    static EdgeSettings withAcme(TestKafka kafka, Path dir, DemoUpstream upstream, List<io.eventgate.policy.model.RouteSettings> routes) {
        return EdgeFixture.settings(kafka, dir, Map.of("demo", EdgeFixture.pool(upstream.url())), routes)
                .withConsumers(Map.of("acme", new ConsumerSettings("gold", List.of(ApiKeys.hash("acme-key")), null)),
                        Map.of("gold", new PlanSettings(1000, 1000)));
    }

    static void await(String what, IntSupplier actual, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (actual.getAsInt() != expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(actual.getAsInt()).as(what).isEqualTo(expected);
    }

    @Test
    void requestsInFlightHoldTheirPlaceUnderAQuotaWarning(TestKafka kafka, @TempDir Path dir) throws Exception {
        try (DemoUpstream upstream = DemoUpstream.start("127.0.0.1", 0)) {
            EdgeSettings settings = withAcme(kafka, dir, upstream, List.of(EdgeFixture.route("delay", "/delay/**", "demo")));
            String limits = new Topics(kafka.topicPrefix()).name(Topic.LIMITS);
            try (EdgeServer edge = EdgeServer.start(settings);
                 var producer = directives(kafka)) {
                await("ready", () -> edge.ready() ? 1 : 0, 1);
                producer.send(new ProducerRecord<>(limits, "consumer:acme", directive("consumer:acme", DirectiveKind.QUOTA_EXHAUSTED, null,
                        Instant.now().plusSeconds(60), 1))).get();
                await("exhausted", () -> status(edge, "/delay/0", "acme-key"), 429);
                LimitDirective warning = directive("consumer:acme", DirectiveKind.QUOTA_WARNING, 0.8, Instant.now().plusSeconds(60), 2);
                warning.setRemaining(3L);
                producer.send(new ProducerRecord<>(limits, "consumer:acme", warning)).get();
                await("the warning replaces the exhaustion", () -> status(edge, "/delay/0", "acme-key"), 200); // two of the three spent
                // one left, and three slow requests at once: the first admitted holds the place while it is in flight
                List<java.util.concurrent.Future<Integer>> calls = new java.util.ArrayList<>();
                try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                    for (int i = 0; i < 3; i++) {
                        calls.add(threads.submit(() -> status(edge, "/delay/400", "acme-key")));
                    }
                }
                List<Integer> statuses = new java.util.ArrayList<>();
                for (var call : calls) {
                    statuses.add(call.get());
                }
                assertThat(statuses).as("one served, the others refused while it was in flight").containsExactlyInAnyOrder(200, 429, 429);
            }
        }
    }

    @Test
    void blocksQuotasAndRateDirectivesApplyAndLapse(TestKafka kafka, @TempDir Path dir) throws Exception {
        try (DemoUpstream upstream = DemoUpstream.start("127.0.0.1", 0)) {
            EdgeSettings settings = withAcme(kafka, dir, upstream,
                    List.of(EdgeFixture.route("echo", "/echo/**", "demo"), EdgeFixture.route("status", "/status/**", "demo")));
            String limits = new Topics(kafka.topicPrefix()).name(Topic.LIMITS);
            try (EdgeServer edge = EdgeServer.start(settings);
                 var producer = directives(kafka)) {
                await("ready", () -> edge.ready() ? 1 : 0, 1);
                assertThat(status(edge, "/echo/a", null)).isEqualTo(200);

                Instant expiry = Instant.now().plusSeconds(2);
                producer.send(new ProducerRecord<>(limits, "client:127.0.0.1", directive("client:127.0.0.1", DirectiveKind.BLOCK, null,
                        expiry, 1))).get();
                await("a block on the client's address answers 403", () -> status(edge, "/echo/a", null), 403);
                // the bound is the directive's own: enforced while it is in force (how fast is bench/feedback-bench.sh's business)
                assertThat(Instant.now()).as("the block enforced before its expiry").isBefore(expiry);
                await("the block lapses at its expiry", () -> status(edge, "/echo/a", null), 200);

                producer.send(new ProducerRecord<>(limits, "consumer:acme", directive("consumer:acme", DirectiveKind.QUOTA_EXHAUSTED, null,
                        Instant.now().plusSeconds(60), 2))).get();
                await("an exhausted quota answers 429", () -> status(edge, "/echo/a", "acme-key"), 429);
                assertThat(status(edge, "/echo/a", null)).as("other callers are not affected").isEqualTo(200);
                producer.send(new ProducerRecord<>(limits, "consumer:acme", null)).get();
                await("a tombstone lifts it", () -> status(edge, "/echo/a", "acme-key"), 200);

                // a warning with 2 requests left: this node serves 2 more, then refuses the breach on its own count
                producer.send(new ProducerRecord<>(limits, "consumer:acme", directive("consumer:acme", DirectiveKind.QUOTA_EXHAUSTED, null,
                        Instant.now().plusSeconds(60), 20))).get();
                await("exhausted", () -> status(edge, "/echo/a", "acme-key"), 429);
                LimitDirective warning = directive("consumer:acme", DirectiveKind.QUOTA_WARNING, 0.8, Instant.now().plusSeconds(60), 21);
                warning.setRemaining(2L);
                producer.send(new ProducerRecord<>(limits, "consumer:acme", warning)).get();
                // await sends until it sees 200 and then once more to assert it: the 2 requests left
                await("the warning replaces the exhaustion", () -> status(edge, "/echo/a", "acme-key"), 200);
                assertThat(status(edge, "/echo/a", "acme-key")).as("the breach, refused before policy-streams says so").isEqualTo(429);
                producer.send(new ProducerRecord<>(limits, "consumer:acme", null)).get();
                await("lifted again", () -> status(edge, "/echo/a", "acme-key"), 200);

                producer.send(new ProducerRecord<>(limits, "route:status", directive("route:status", DirectiveKind.OPERATOR_LIMIT, 2.0,
                        Instant.now().plusSeconds(60), 3))).get();
                await("the route's rate directive throttles", () -> {
                    int throttled = 0;
                    for (int i = 0; i < 10; i++) {
                        throttled += status(edge, "/status/200", null) == 429 ? 1 : 0;
                    }
                    return throttled > 0 ? 1 : 0;
                }, 1);
                assertThat(status(edge, "/echo/a", null)).as("only the route under the directive").isEqualTo(200);

                // two directives on one consumer: a generous operator limit and this node's small share; the stricter wins
                producer.send(new ProducerRecord<>(limits, "consumer:acme", directive("consumer:acme", DirectiveKind.OPERATOR_LIMIT, 1000.0,
                        Instant.now().plusSeconds(60), 4))).get();
                LimitDirective share = directive("consumer:acme@node:" + settings.nodeId(), DirectiveKind.RATE_SHARE, 1.0, null, 5);
                producer.send(new ProducerRecord<>(limits, share.getScope(), share)).get();
                await("the share, the stricter of the two, throttles", () -> {
                    int throttled = 0;
                    for (int i = 0; i < 5; i++) {
                        throttled += status(edge, "/echo/a", "acme-key") == 429 ? 1 : 0;
                    }
                    return throttled >= 3 ? 1 : 0;
                }, 1);
            }
        }
    }

    @Test
    void directivesOfDifferentSourcesOnOneConsumerStandSideBySideAndEachIsLiftedAlone(TestKafka kafka, @TempDir Path dir) throws Exception {
        try (DemoUpstream upstream = DemoUpstream.start("127.0.0.1", 0)) {
            EdgeSettings settings = withAcme(kafka, dir, upstream, List.of(EdgeFixture.route("echo", "/echo/**", "demo")));
            String limits = new Topics(kafka.topicPrefix()).name(Topic.LIMITS);
            try (EdgeServer edge = EdgeServer.start(settings);
                 var producer = directives(kafka)) {
                await("ready", () -> edge.ready() ? 1 : 0, 1);
                Instant later = Instant.now().plusSeconds(300);
                LimitDirective block = directive("consumer:acme", DirectiveKind.BLOCK, null, later, 1);
                block.setSource("operator:alice");
                LimitDirective quota = directive("consumer:acme", DirectiveKind.QUOTA_EXHAUSTED, null, later, 1);
                quota.setSource("policy-streams");
                // one token per 100 s with a burst of 1: the first request passes, the next is throttled, on any machine
                LimitDirective throttle = directive("consumer:acme", DirectiveKind.ADAPTIVE_LIMIT, 0.01, later, 1);
                throttle.setSource("anomaly-detector");
                throttle.setBurst(1.0);
                // the operator's block first, the detector's throttle last: under one key per scope, the throttle would lift the block
                for (LimitDirective directive : List.of(block, quota, throttle)) {
                    producer.send(new ProducerRecord<>(limits, LimitKeys.of(directive.getScope(), directive.getSource()), directive)).get();
                }
                await("the block, strictest of the three, holds", () -> status(edge, "/echo/a", "acme-key"), 403);

                producer.send(new ProducerRecord<>(limits, LimitKeys.of("consumer:acme", LimitKeys.OPERATOR), null)).get();
                await("the operator cleared the block; the exhausted quota remains", () -> status(edge, "/echo/a", "acme-key"), 429);
                assertThat(body(edge, "/echo/a", "acme-key")).contains("quota_exhausted");

                producer.send(new ProducerRecord<>(limits, LimitKeys.of("consumer:acme", LimitKeys.POLICY_STREAMS), null)).get();
                await("the quota reset; the detector's throttle remains", () -> body(edge, "/echo/a", "acme-key").contains("quota_exhausted") ? 0 : 1, 1);
                assertThat(body(edge, "/echo/a", "acme-key")).as("its bucket holds one token per 100 s").contains("rate_limited");

                producer.send(new ProducerRecord<>(limits, LimitKeys.of("consumer:acme", LimitKeys.ANOMALY_DETECTOR), null)).get();
                await("nothing remains", () -> status(edge, "/echo/a", "acme-key"), 200);
                assertThat(status(edge, "/echo/a", "acme-key")).isEqualTo(200);
            }
        }
    }

    String body(EdgeServer edge, String path, String key) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path)).header("X-API-Key", key).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return "";
        }
    }

    @Test
    void consumersUnderAGlobalLimitAreReportedWithTheirDemandForTheirShares(TestKafka kafka, @TempDir Path dir) throws Exception {
        try (DemoUpstream upstream = DemoUpstream.start("127.0.0.1", 0)) {
            EdgeSettings settings = EdgeFixture.settings(kafka, dir, Map.of("demo", EdgeFixture.pool(upstream.url())),
                            List.of(EdgeFixture.route("echo", "/echo/**", "demo")))
                    .withConsumers(Map.of("acme", new ConsumerSettings("gold", List.of(ApiKeys.hash("acme-key")), null),
                                    "zeta", new ConsumerSettings("shared", List.of(ApiKeys.hash("zeta-key")), null)),
                            Map.of("gold", new PlanSettings(1000, 1000), "shared", new PlanSettings(40, 8, 0, 0, null, true)));
            Topics topics = new Topics(kafka.topicPrefix());
            ContractSerdes serdes = ContractSerdes.of(kafka.registryUrl());
            try (EdgeServer edge = EdgeServer.start(settings);
                 var producer = new KafkaProducer<>(kafka.producerConfig(Map.of()), new StringSerializer(), serdes.<LimitDirective>serde(Topic.LIMITS).serializer());
                 var heartbeats = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers(), "group.id", "beats",
                         "auto.offset.reset", "earliest"), new StringDeserializer(), serdes.<NodeHeartbeat>serde(Topic.NODES).deserializer())) {
                await("ready", () -> edge.ready() ? 1 : 0, 1);
                LimitDirective global = directive("consumer:acme", DirectiveKind.OPERATOR_LIMIT, 30.0, Instant.now().plusSeconds(60), 1);
                global.setGlobal(true);
                producer.send(new ProducerRecord<>(topics.name(Topic.LIMITS), "consumer:acme", global)).get();
                heartbeats.subscribe(List.of(topics.name(Topic.NODES)));
                NodeHeartbeat listing = null;
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (listing == null && System.nanoTime() < deadline) {
                    status(edge, "/echo/a", "acme-key");
                    status(edge, "/echo/a", "zeta-key");
                    for (var record : heartbeats.poll(Duration.ofMillis(100))) {
                        if (record.value().getDemand().containsKey("acme") && record.value().getDemand().containsKey("zeta")) {
                            listing = record.value();
                        }
                    }
                }
                assertThat(listing).as("a heartbeat lists both consumers").isNotNull();
                assertThat(listing.getGlobalLimits().get("acme").getRatePerSecond()).as("the operator's global limit").isEqualTo(30.0);
                assertThat(listing.getGlobalLimits().get("zeta").getRatePerSecond()).as("the global plan's rate").isEqualTo(40.0);
                assertThat(listing.getDemand().get("acme")).isPositive();
                assertThat(listing.getIntervalMillis()).isPositive();

                producer.send(new ProducerRecord<>(topics.name(Topic.LIMITS), "consumer:acme", null)).get();
                NodeHeartbeat without = null;
                deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (without == null && System.nanoTime() < deadline) {
                    status(edge, "/echo/a", "acme-key");
                    for (var record : heartbeats.poll(Duration.ofMillis(100))) {
                        if (!record.value().getDemand().containsKey("acme")) {
                            without = record.value();
                        }
                    }
                }
                assertThat(without).as("once the global limit is lifted, the consumer is no longer listed").isNotNull();
            }
        }
    }
}
