package io.eventgate.edge.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.avro.DecisionEvent;
import io.eventgate.avro.DecisionKind;
import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.RecordingUpstream;
import io.eventgate.edge.RequestEventsOnTopic;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.policy.model.RoutePolicies;
import io.eventgate.policy.model.RouteSettings;
import io.eventgate.schemas.Topics;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** CORS, mock answers, injected faults and request and response edits, through a real edge to a real upstream. */
@ExtendWith(KafkaExtension.class)
class TrafficPoliciesTest {
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    TestKafka kafka;
    RecordingUpstream upstream;
    EdgeServer edge;

    static RouteSettings route(String id, String path) {
        return EdgeFixture.route(id, path, "up");
    }

    @BeforeEach
    void start(TestKafka kafka, @TempDir Path dir) {
        this.kafka = kafka;
        upstream = RecordingUpstream.start();
        RoutePolicies.Cors cors = new RoutePolicies.Cors(List.of("https://app.example.com", "https://*.example.org"), List.of("GET", "POST"),
                List.of("X-Custom"), List.of("X-Request-Id"), true, Duration.ofMinutes(5));
        RouteSettings corsRoute = new RouteSettings("cors", new RouteSettings.Match(null, List.of("/cors/**"), null, null),
                List.of(new RouteSettings.Destination("up", 100)), null, null, null, null, null, false, null, null, null, null)
                .withPolicies(cors, null, null, null);
        RouteSettings mock = RouteSettings.builder("maintenance", new RouteSettings.Match(null, List.of("/maintenance/**"), null, null), List.of())
                .mock(new RoutePolicies.Mock(503, Map.of("Retry-After", "120"), "{\"maintenance\":true}")).build();
        RouteSettings chaos = route("chaos", "/chaos/**").withPolicies(null, null,
                new RoutePolicies.Faults(new RoutePolicies.Faults.Delay(100, Duration.ofMillis(50)), new RoutePolicies.Faults.Abort(100, 503), "X-Chaos"),
                null);
        RouteSettings slow = route("slow", "/slow/**").withPolicies(null, null,
                new RoutePolicies.Faults(new RoutePolicies.Faults.Delay(100, Duration.ofMillis(50)), null, null), null);
        RoutePolicies.Transform transform = new RoutePolicies.Transform(
                new RoutePolicies.HeaderEdits(List.of("X-Remove-Me"), Map.of("X-Old", "X-New"), Map.of("X-Set", "fixed"), Map.of("X-Added", "yes")),
                new RoutePolicies.QueryEdits(List.of("secret"), Map.of("version", "2"), Map.of("with space", "a b")),
                "/v2/people/{id}",
                new RoutePolicies.HeaderEdits(List.of("Content-Type"), null, Map.of("Cache-Control", "no-store"), Map.of("X-Gateway", "eventgate")));
        RouteSettings users = new RouteSettings("users", new RouteSettings.Match(null, List.of("/users/{id}"), null, null),
                List.of(new RouteSettings.Destination("up", 100)), null, null, null, null, null, null, null, null, null, null)
                .withPolicies(null, null, null, transform);
        edge = EdgeServer.start(EdgeFixture.settings(kafka, dir.resolve("journal"), Map.of("up", EdgeFixture.pool(upstream.url())),
                List.of(corsRoute, mock, chaos, slow, users)));
    }

    @AfterEach
    void stop() {
        if (edge != null) {
            edge.close();
        }
        upstream.close();
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpRequest.Builder at(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path));
    }

    @Test
    void preflightsAreAnsweredAtTheEdgeBeforeAuthenticationAndNeverProxied() throws Exception {
        HttpResponse<String> allowed = send(at("/cors/items").method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example.com").header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "X-Custom, Content-Type"));
        assertThat(allowed.statusCode()).as("no credentials needed for a preflight").isEqualTo(204);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example.com");
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Methods")).hasValue("GET, POST");
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Headers")).hasValue("X-Custom, Content-Type");
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
        assertThat(allowed.headers().firstValue("Access-Control-Max-Age")).hasValue("300");

        HttpResponse<String> pattern = send(at("/cors/items").method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://shop.example.org").header("Access-Control-Request-Method", "GET"));
        assertThat(pattern.statusCode()).isEqualTo(204);

        for (String[] refused : List.of(new String[] {"https://evil.example.com", "GET", ""}, new String[] {"https://app.example.com", "DELETE", ""},
                new String[] {"https://app.example.com", "GET", "X-Secret"}, new String[] {"https://example.org", "GET", ""})) {
            HttpRequest.Builder preflight = at("/cors/items").method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Origin", refused[0]).header("Access-Control-Request-Method", refused[1]);
            if (!refused[2].isEmpty()) {
                preflight.header("Access-Control-Request-Headers", refused[2]);
            }
            HttpResponse<String> answer = send(preflight);
            assertThat(answer.statusCode()).as(String.join(" ", refused)).isEqualTo(403);
            assertThat(answer.headers().firstValue("Access-Control-Allow-Origin")).as("a refused origin gets no allow header").isEmpty();
        }
        assertThat(upstream.seen("/cors/items")).as("no preflight reached the upstream").isEmpty();
        assertThat(edge.metrics().registry().get("edge.cors.preflights").tags("route", "cors", "result", "allowed").counter().count()).isEqualTo(2);
        assertThat(edge.metrics().registry().get("edge.cors.preflights").tags("route", "cors", "result", "refused").counter().count()).isEqualTo(4);

        HttpResponse<String> unauthenticated = send(at("/cors/items").header("Origin", "https://app.example.com"));
        assertThat(unauthenticated.statusCode()).isEqualTo(401);
        assertThat(unauthenticated.headers().firstValue("Access-Control-Allow-Origin")).as("a page can read the refusal")
                .hasValue("https://app.example.com");
        assertThat(unauthenticated.headers().firstValue("Access-Control-Expose-Headers")).hasValue("X-Request-Id");
        assertThat(unauthenticated.headers().allValues("Vary")).contains("Origin");
        HttpResponse<String> otherOrigin = send(at("/cors/items").header("Origin", "https://evil.example.com"));
        assertThat(otherOrigin.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

        List<DecisionEvent> decisions = RequestEventsOnTopic.decisions(kafka.bootstrapServers(), kafka.registryUrl(),
                new Topics(kafka.topicPrefix()).decisions(), read -> read.stream().filter(d -> d.getPolicy().equals("route:cors/cors")).count() >= 4,
                Duration.ofSeconds(30));
        assertThat(decisions).filteredOn(d -> d.getPolicy().equals("route:cors/cors")).hasSize(4)
                .allSatisfy(d -> assertThat(d.getKind()).isEqualTo(DecisionKind.DENY));
    }

    @Test
    void aMockedRouteAnswersItselfWithoutAnUpstream() throws Exception {
        HttpResponse<String> answer = send(at("/maintenance/anything"));
        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.headers().firstValue("Retry-After")).hasValue("120");
        assertThat(answer.headers().firstValue("X-Request-Id")).isPresent();
        assertThat(answer.body()).isEqualTo("{\"maintenance\":true}");
        assertThat(edge.metrics().registry().get("edge.mock.answers").tags("route", "maintenance").counter().count()).isEqualTo(1);
    }

    @Test
    void faultsAreInjectedOnlyWhereAskedAndMarkedInTheEvents() throws Exception {
        HttpResponse<String> untouched = send(at("/chaos/a").header("X-Request-Id", "no-chaos-header"));
        assertThat(untouched.statusCode()).as("without X-Chaos, no fault").isEqualTo(200);

        HttpResponse<String> aborted = send(at("/chaos/b").header("X-Chaos", "on").header("X-Request-Id", "chaos-abort"));
        assertThat(aborted.statusCode()).isEqualTo(503);
        assertThat(aborted.body()).contains("fault_injected");
        assertThat(upstream.seen("/chaos/b")).as("an aborted request never reaches the upstream").isEmpty();
        assertThat(edge.metrics().registry().get("edge.faults.injected").tags("route", "chaos", "kind", "abort").counter().count()).isEqualTo(1);

        HttpResponse<String> delayed = send(at("/slow/c").header("X-Request-Id", "chaos-delay"));
        assertThat(delayed.statusCode()).isEqualTo(200);

        List<RequestEvent> events = RequestEventsOnTopic.read(kafka.bootstrapServers(), kafka.registryUrl(), new Topics(kafka.topicPrefix()).requests(),
                read -> read.stream().filter(e -> e.getRequestId().startsWith("chaos-")).count() >= 2, Duration.ofSeconds(30));
        RequestEvent abort = events.stream().filter(e -> e.getRequestId().equals("chaos-abort")).findFirst().orElseThrow();
        assertThat(abort.getInjectedFault()).isEqualTo("abort:503");
        assertThat(abort.getOutcome()).isEqualTo(RequestOutcome.ANSWERED);
        RequestEvent delay = events.stream().filter(e -> e.getRequestId().equals("chaos-delay")).findFirst().orElseThrow();
        assertThat(delay.getInjectedFault()).isEqualTo("delay:50ms");
        assertThat(delay.getGatewayLatencyMicros()).as("the delay was served").isGreaterThanOrEqualTo(50_000);
        assertThat(events.stream().filter(e -> e.getRequestId().equals("no-chaos-header")).findFirst().orElseThrow().getInjectedFault()).isNull();
    }

    @Test
    void requestAndResponseAreEditedOnTheWayThrough() throws Exception {
        HttpResponse<String> answer = send(at("/users/42?secret=s3&keep=1&version=1").header("X-Remove-Me", "x").header("X-Old", "moved")
                .header("X-Set", "client's").header("X-Kept", "k"));
        assertThat(answer.statusCode()).isEqualTo(200);
        RecordingUpstream.Seen seen = upstream.seen("/v2/people/42").getFirst();
        assertThat(seen.query()).isEqualTo("keep=1&version=2&with%20space=a%20b");
        assertThat(seen.header("X-Remove-Me")).isNull();
        assertThat(seen.header("X-Old")).isNull();
        assertThat(seen.header("X-New")).isEqualTo("moved");
        assertThat(seen.headers().get("x-set")).containsExactly("fixed");
        assertThat(seen.header("X-Added")).isEqualTo("yes");
        assertThat(seen.header("X-Kept")).isEqualTo("k");
        assertThat(answer.headers().firstValue("Content-Type")).as("removed").isEmpty();
        assertThat(send(at("/slow/unedited")).headers().firstValue("Content-Type")).as("the upstream does send one").isPresent();
        assertThat(answer.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(answer.headers().firstValue("X-Gateway")).hasValue("eventgate");
        assertThat(answer.body()).isEqualTo("seen /v2/people/42");
    }
}
