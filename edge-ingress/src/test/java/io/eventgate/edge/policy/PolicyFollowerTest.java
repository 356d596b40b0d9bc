package io.eventgate.edge.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.avro.PolicyEntity;
import io.eventgate.avro.PolicyEntityType;
import io.eventgate.demo.DemoUpstream;
import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.edge.auth.ApiKeys;
import io.eventgate.edge.config.KafkaSettings;
import io.eventgate.policy.model.ConsumerSettings;
import io.eventgate.policy.model.PlanSettings;
import io.eventgate.policy.model.RouteSettings;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.net.ServerSocket;
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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The edge applies gateway.policies as they come, skips what it cannot read, and starts from its cache without Kafka. */
@ExtendWith(KafkaExtension.class)
class PolicyFollowerTest {
    final HttpClient http = HttpClient.newHttpClient();

    static PolicyEntity route(String id, String path, long version) {
        String spec = "{\"id\":\"" + id + "\",\"match\":{\"paths\":[\"" + path + "\"]},\"upstreams\":[{\"pool\":\"demo\"}]}";
        return PolicyEntity.newBuilder().setEntityKey("route:" + id).setEntityType(PolicyEntityType.ROUTE).setEntityId(id)
                .setVersion(version).setSpec(spec).setChecksum("x").setSourceCommandId("c" + version).setValidatedAt(Instant.now()).build();
    }

    static PolicyEntity entity(PolicyEntityType type, String prefix, String id, String spec, long version) {
        return PolicyEntity.newBuilder().setEntityKey(prefix + ":" + id).setEntityType(type).setEntityId(id)
                .setVersion(version).setSpec(spec).setChecksum("x").setSourceCommandId("c" + version).setValidatedAt(Instant.now()).build();
    }

    int status(EdgeServer edge, String path, String apiKey) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path));
        if (apiKey != null) {
            request.header("X-API-Key", apiKey);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    int status(EdgeServer edge, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    static void await(String what, IntSupplier actual, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (actual.getAsInt() != expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(actual.getAsInt()).as(what).isEqualTo(expected);
    }

    IntSupplier statusOf(EdgeServer edge, String path) {
        return statusOf(edge, path, null);
    }

    IntSupplier statusOf(EdgeServer edge, String path, String apiKey) {
        return () -> {
            try {
                return status(edge, path, apiKey);
            } catch (Exception e) {
                return -1;
            }
        };
    }

    @Test
    void routesFollowThePoliciesTopicAndTheCacheBridgesAKafkaOutage(TestKafka kafka, @TempDir Path dir) throws Exception {
        try (DemoUpstream upstream = DemoUpstream.start("127.0.0.1", 0)) {
            EdgeSettings settings = EdgeFixture.settings(kafka, dir.resolve("journal"), Map.of("demo", EdgeFixture.pool(upstream.url())), List.of());
            String policies = new Topics(kafka.topicPrefix()).name(Topic.POLICIES);
            ContractSerdes serdes = ContractSerdes.of(kafka.registryUrl());
            try (var producer = new KafkaProducer<>(kafka.producerConfig(Map.of()), new StringSerializer(), serdes.<PolicyEntity>serde(Topic.POLICIES).serializer());
                 var raw = new KafkaProducer<>(kafka.producerConfig(Map.of()), new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(policies, "route:echo", route("echo", "/echo/**", 1))).get();
                raw.send(new ProducerRecord<>(policies, "route:junk", "not a policy".getBytes())).get();
                producer.send(new ProducerRecord<>(policies, "route:status", route("status", "/status/**", 2))).get();

                try (EdgeServer edge = EdgeServer.start(settings)) {
                    await("ready once caught up", () -> edge.ready() ? 1 : 0, 1);
                    assertThat(status(edge, "/echo/hi")).isEqualTo(200);
                    assertThat(status(edge, "/status/204")).as("applied past the undecodable record").isEqualTo(204);
                    assertThat(edge.snapshots().get().version()).isEqualTo(2);

                    producer.send(new ProducerRecord<>(policies, "route:status", null)).get();
                    await("a tombstone removes the route", statusOf(edge, "/status/204"), 404);
                }
            }

            int noKafka;
            try (ServerSocket socket = new ServerSocket(0)) {
                noKafka = socket.getLocalPort();
            }
            EdgeSettings offline = settings.withKafka(new KafkaSettings("127.0.0.1:" + noKafka, kafka.registryUrl(), kafka.topicPrefix()));
            try (EdgeServer edge = EdgeServer.start(offline)) {
                assertThat(status(edge, "/echo/hi")).as("served from the cached policies").isEqualTo(200);
                assertThat(status(edge, "/status/204")).isEqualTo(404);
                assertThat(edge.ready()).as("not ready: not caught up with Kafka").isFalse();
            }
        }
    }

    @Test
    void consumersAndTheGlobalPolicyFollowThePoliciesTopic(TestKafka kafka, @TempDir Path dir) throws Exception {
        try (DemoUpstream upstream = DemoUpstream.start("127.0.0.1", 0)) {
            RouteSettings open = new RouteSettings("echo", new RouteSettings.Match(null, List.of("/echo/**"), null, null),
                    List.of(new RouteSettings.Destination("demo", 1)), null, null, null, null, null, true, false);
            RouteSettings keyed = new RouteSettings("api", new RouteSettings.Match(null, List.of("/api/**"), null, null),
                    List.of(new RouteSettings.Destination("demo", 1)), "/api", "/echo", null, null, null, false, false);
            EdgeSettings settings = EdgeFixture.settings(kafka, dir.resolve("journal"), Map.of("demo", EdgeFixture.pool(upstream.url())), List.of(open, keyed));
            String policies = new Topics(kafka.topicPrefix()).name(Topic.POLICIES);
            ContractSerdes serdes = ContractSerdes.of(kafka.registryUrl());
            try (var producer = new KafkaProducer<>(kafka.producerConfig(Map.of()), new StringSerializer(), serdes.<PolicyEntity>serde(Topic.POLICIES).serializer());
                 EdgeServer edge = EdgeServer.start(settings)) {
                await("ready", () -> edge.ready() ? 1 : 0, 1);
                assertThat(status(edge, "/api/x", "acme-key")).isEqualTo(401);

                producer.send(new ProducerRecord<>(policies, "plan:gold", entity(PolicyEntityType.PLAN, "plan", "gold", "{\"ratePerSecond\":1000,\"burst\":2}", 1))).get();
                producer.send(new ProducerRecord<>(policies, "consumer:acme", entity(PolicyEntityType.CONSUMER, "consumer", "acme",
                        "{\"plan\":\"gold\",\"apiKeys\":[\"" + ApiKeys.hash("acme-key") + "\"]}", 2))).get();
                await("a consumer from Kafka authenticates", statusOf(edge, "/api/x", "acme-key"), 200);

                producer.send(new ProducerRecord<>(policies, "global:global", entity(PolicyEntityType.GLOBAL_POLICY, "global", "global",
                        "{\"maxRatePerSecond\":0.5,\"requireAuthentication\":true}", 3))).get();
                await("the global policy requires authentication on the anonymous route", statusOf(edge, "/echo/hi"), 401);
                int[] statuses = new int[4];
                for (int i = 0; i < statuses.length; i++) {
                    statuses[i] = status(edge, "/api/x", "acme-key");
                }
                assertThat(statuses).as("the plan's 1000/s capped at the global 0.5/s: the burst of 2, then 429").contains(429);

                producer.send(new ProducerRecord<>(policies, "global:global", entity(PolicyEntityType.GLOBAL_POLICY, "global", "global",
                        "{\"denyClients\":[\"127.0.0.0/8\"]}", 4))).get();
                await("a denied address gets 403 whatever the path", statusOf(edge, "/nowhere"), 403);

                producer.send(new ProducerRecord<>(policies, "global:global", null)).get();
                producer.send(new ProducerRecord<>(policies, "consumer:acme", null)).get();
                await("a tombstone removes the consumer", statusOf(edge, "/api/x", "acme-key"), 401);
                assertThat(status(edge, "/echo/hi")).as("the global policy lifted").isEqualTo(200);
            }
        }
    }

    @Test
    void quotaChecksFailOpenOrClosedPerPlanWhenTheLimitsAreUnreachable(TestKafka kafka, @TempDir Path dir) throws Exception {
        try (DemoUpstream upstream = DemoUpstream.start("127.0.0.1", 0)) {
            RouteSettings keyed = new RouteSettings("api", new RouteSettings.Match(null, List.of("/api/**"), null, null),
                    List.of(new RouteSettings.Destination("demo", 1)), "/api", "/echo", null, null, null, false, false);
            int noKafka;
            try (ServerSocket socket = new ServerSocket(0)) {
                noKafka = socket.getLocalPort();
            }
            EdgeSettings offline = EdgeFixture.settings(kafka, dir.resolve("journal"), Map.of("demo", EdgeFixture.pool(upstream.url())), List.of(keyed))
                    .withConsumers(Map.of("careful", new ConsumerSettings("strict", List.of(ApiKeys.hash("careful-key")), null),
                                    "relaxed", new ConsumerSettings("lenient", List.of(ApiKeys.hash("relaxed-key")), null)),
                            Map.of("strict", new PlanSettings(100, 100, 1000, 0, null, false, true), "lenient", new PlanSettings(100, 100, 1000)))
                    .withKafka(new KafkaSettings("127.0.0.1:" + noKafka, kafka.registryUrl(), kafka.topicPrefix()));
            try (EdgeServer edge = EdgeServer.start(offline)) {
                HttpResponse<String> closed = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + "/api/x"))
                        .header("X-API-Key", "careful-key").build(), HttpResponse.BodyHandlers.ofString());
                assertThat(closed.statusCode()).as("a plan that fails closed").isEqualTo(503);
                assertThat(closed.headers().firstValue("Retry-After")).isPresent();
                assertThat(closed.body()).contains("quota_unavailable");
                assertThat(status(edge, "/api/x", "relaxed-key")).as("a plan that fails open").isEqualTo(200);
            }
        }
    }
}
