package io.eventgate.edge.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventgate.avro.DecisionEvent;
import io.eventgate.avro.DecisionKind;
import io.eventgate.demo.DemoUpstream;
import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.policy.model.ConsumerSettings;
import io.eventgate.policy.model.PlanSettings;
import io.eventgate.policy.model.RouteSettings;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** API keys and plan rate limits through a running edge: 401, identity headers, RateLimit-* headers, 429, and their DecisionEvents. */
@ExtendWith(KafkaExtension.class)
class AuthAndRateLimitTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void keysIdentifyConsumersAndPlansLimitThem(TestKafka kafka, @TempDir Path dir) throws Exception {
        try (DemoUpstream upstream = DemoUpstream.start("127.0.0.1", 0)) {
            RouteSettings api = new RouteSettings("api", new RouteSettings.Match(null, List.of("/api/**"), null, null),
                    List.of(new RouteSettings.Destination("demo", 100)), "/api", "/echo", null, null, null, false);
            EdgeSettings settings = EdgeFixture.settings(kafka, dir, Map.of("demo", EdgeFixture.pool(upstream.url())),
                            List.of(api, EdgeFixture.route("echo", "/echo/**", "demo")))
                    .withConsumers(Map.of("demo", new ConsumerSettings("demo", List.of(ApiKeys.hash("demo-key")), List.of("beta"))),
                            Map.of("demo", new PlanSettings(10, 20)));
            try (EdgeServer edge = EdgeServer.start(settings)) {
                String base = "http://127.0.0.1:" + edge.port();
                HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(base + "/api/hi")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(anonymous.statusCode()).isEqualTo(401);
                assertThat(anonymous.headers().firstValue("WWW-Authenticate").orElseThrow()).startsWith("ApiKey header=\"X-API-Key\"");
                HttpResponse<String> wrongKey = http.send(HttpRequest.newBuilder(URI.create(base + "/api/hi")).header("X-API-Key", "guess").build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(wrongKey.statusCode()).isEqualTo(401);
                assertThat(wrongKey.body()).as("the same answer whether the key is missing or wrong").isEqualTo(anonymous.body().replace(
                        JSON.readTree(anonymous.body()).path("requestId").asText(), JSON.readTree(wrongKey.body()).path("requestId").asText()));

                HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(base + "/api/hi")).header("X-API-Key", "demo-key")
                        .header("X-Consumer-Id", "admin").build(), HttpResponse.BodyHandlers.ofString());
                assertThat(ok.statusCode()).isEqualTo(200);
                assertThat(ok.headers().firstValue("RateLimit-Limit")).hasValue("20");
                assertThat(ok.headers().firstValue("RateLimit-Remaining")).hasValue("19");
                assertThat(ok.headers().firstValue("RateLimit-Reset")).isPresent();
                JsonNode seen = JSON.readTree(ok.body()).path("headers");
                assertThat(seen.path("x-consumer-id").get(0).asText()).as("set by the gateway, not the client").isEqualTo("demo");
                assertThat(seen.path("x-consumer-id")).hasSize(1);
                assertThat(seen.path("x-consumer-plan").get(0).asText()).isEqualTo("demo");
                assertThat(seen.path("x-consumer-groups").get(0).asText()).isEqualTo("beta");
                assertThat(seen.has("x-api-key")).as("credentials stay at the gateway").isFalse();

                // 40 requests at once: a burst of 20 with 10 per second refilled cannot admit them all, however slow the machine
                List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    burst.add(http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/api/hi")).header("X-API-Key", "demo-key").build(),
                            HttpResponse.BodyHandlers.ofString()));
                }
                int throttled = 0;
                String retryAfter = null;
                for (var pending : burst) {
                    HttpResponse<String> r = pending.get();
                    if (r.statusCode() == 429) {
                        throttled++;
                        retryAfter = r.headers().firstValue("Retry-After").orElse(null);
                    }
                }
                assertThat(throttled).isGreaterThan(0);
                assertThat(retryAfter).isNotNull();
                assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/echo/free")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                        .as("anonymous routes stay open").isEqualTo(200);

                List<io.eventgate.avro.RequestEvent> refused = io.eventgate.edge.RequestEventsOnTopic.read(kafka.bootstrapServers(), kafka.registryUrl(),
                        new Topics(kafka.topicPrefix()).requests(), events -> events.stream().filter(e -> e.getStatus() == 401).count() >= 2,
                        Duration.ofSeconds(30)).stream().filter(e -> e.getStatus() == 401).toList();
                assertThat(refused).extracting(io.eventgate.avro.RequestEvent::getFailedCredential)
                        .as("a wrong key is named by its fingerprint only; a missing one not at all")
                        .containsExactlyInAnyOrder(null, ApiKeys.fingerprint("guess"));
                assertThat(ApiKeys.fingerprint("guess")).matches("apikey:[0-9a-f]{16}");

                List<DecisionEvent> decisions = decisions(kafka, 2);
                assertThat(decisions).extracting(DecisionEvent::getKind).contains(DecisionKind.UNAUTHENTICATED, DecisionKind.THROTTLE);
                DecisionEvent throttle = decisions.stream().filter(d -> d.getKind() == DecisionKind.THROTTLE).findFirst().orElseThrow();
                assertThat(throttle.getConsumerId()).isEqualTo("demo");
                assertThat(throttle.getPolicy()).isEqualTo("plan:demo/rate");
                assertThat(throttle.getLimit()).isEqualTo(10.0);
            }
        }
    }

    @Test
    void aRouteInShadowModeLetsRequestsPassAndReportsWhatItWouldHaveRefused(TestKafka kafka, @TempDir Path dir) throws Exception {
        try (DemoUpstream upstream = DemoUpstream.start("127.0.0.1", 0)) {
            RouteSettings trial = new RouteSettings("trial", new RouteSettings.Match(null, List.of("/trial/**"), null, null),
                    List.of(new RouteSettings.Destination("demo", 100)), "/trial", "/echo", null, null, null, false, true);
            EdgeSettings settings = EdgeFixture.settings(kafka, dir, Map.of("demo", EdgeFixture.pool(upstream.url())), List.of(trial))
                    .withConsumers(Map.of("demo", new ConsumerSettings("demo", List.of(ApiKeys.hash("demo-key")), List.of())),
                            Map.of("demo", new PlanSettings(1, 1)));
            try (EdgeServer edge = EdgeServer.start(settings)) {
                String base = "http://127.0.0.1:" + edge.port();
                HttpResponse<String> withoutKey = http.send(HttpRequest.newBuilder(URI.create(base + "/trial/hi")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(withoutKey.statusCode()).as("would be 401: passes in shadow mode").isEqualTo(200);
                for (int i = 0; i < 3; i++) { // a plan of 1 request/s, burst 1: would be 429s
                    assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/trial/hi")).header("X-API-Key", "demo-key").build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
                }
                List<DecisionEvent> decisions = decisions(kafka, 2);
                assertThat(decisions).extracting(DecisionEvent::getKind).contains(DecisionKind.UNAUTHENTICATED, DecisionKind.THROTTLE);
                assertThat(decisions).allSatisfy(d -> assertThat(d.getShadow()).as("would-deny, not deny").isTrue());
                List<io.eventgate.avro.RequestEvent> events = io.eventgate.edge.RequestEventsOnTopic.read(kafka.bootstrapServers(), kafka.registryUrl(),
                        new Topics(kafka.topicPrefix()).requests(), found -> found.size() >= 4, Duration.ofSeconds(30));
                assertThat(events).extracting(io.eventgate.avro.RequestEvent::getDecision).containsOnly("allow");
            }
        }
    }

    @Test
    void aRouteLimitsEachClientAddressOnItsOwn(TestKafka kafka, @TempDir Path dir) throws Exception {
        try (DemoUpstream upstream = DemoUpstream.start("127.0.0.1", 0)) {
            RouteSettings open = new RouteSettings("open", new RouteSettings.Match(null, List.of("/open/**"), null, null),
                    List.of(new RouteSettings.Destination("demo", 100)), "/open", "/echo", null, null, null, true, false,
                    new RouteSettings.RateLimits(new RouteSettings.Rate(1000, 1000), new RouteSettings.Rate(1, 2), null));
            EdgeSettings settings = EdgeFixture.settings(kafka, dir, Map.of("demo", EdgeFixture.pool(upstream.url())), List.of(open));
            HttpClient other = HttpClient.newBuilder().localAddress(java.net.InetAddress.getByName("127.0.0.2")).build();
            try (EdgeServer edge = EdgeServer.start(settings)) {
                URI uri = URI.create("http://127.0.0.1:" + edge.port() + "/open/x");
                List<Integer> statuses = new ArrayList<>();
                HttpResponse<String> last = null;
                for (int i = 0; i < 3; i++) { // burst 2 at 1 per second: the third comes too soon, however slow the machine
                    last = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                    statuses.add(last.statusCode());
                }
                assertThat(statuses).containsExactly(200, 200, 429);
                assertThat(last.headers().firstValue("RateLimit-Limit")).hasValue("2");
                assertThat(last.headers().firstValue("Retry-After")).isPresent();
                assertThat(other.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                        .as("another address has a bucket of its own").isEqualTo(200);
                DecisionEvent throttle = decisions(kafka, 1).stream().filter(d -> d.getKind() == DecisionKind.THROTTLE).findFirst().orElseThrow();
                assertThat(throttle.getPolicy()).isEqualTo("route:open/rate/client");
                assertThat(throttle.getClientAddress()).isEqualTo("127.0.0.1");
            }
        }
    }

    static List<DecisionEvent> decisions(TestKafka kafka, int kinds) {
        var serde = ContractSerdes.of(kafka.registryUrl()).<DecisionEvent>serde(Topic.DECISIONS);
        List<DecisionEvent> found = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(kafka.consumerConfig("decisions", Map.of()), new StringDeserializer(), serde.deserializer())) {
            consumer.subscribe(List.of(new Topics(kafka.topicPrefix()).decisions()));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (found.stream().map(DecisionEvent::getKind).distinct().count() < kinds && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> found.add(r.value()));
            }
        }
        return found;
    }
}
