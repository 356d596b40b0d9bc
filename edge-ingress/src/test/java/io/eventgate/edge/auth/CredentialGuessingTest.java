package io.eventgate.edge.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.avro.DecisionEvent;
import io.eventgate.avro.DecisionKind;
import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.RecordingUpstream;
import io.eventgate.edge.RequestEventsOnTopic;
import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.policy.model.ConsumerSettings;
import io.eventgate.policy.model.PlanSettings;
import io.eventgate.policy.model.RouteSettings;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Guessing credentials: limited per client address before any hash runs, and unknown users cost as much as wrong passwords. */
@ExtendWith(KafkaExtension.class)
class CredentialGuessingTest {
    final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> send(EdgeServer edge, String path, String from, String header, String value) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path))
                .header("X-Forwarded-For", from).header(header, value).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anAddressThatKeepsFailingIsRefusedBeforeItsCredentialsAreChecked(TestKafka kafka, @TempDir Path dir) throws Exception {
        try (RecordingUpstream upstream = RecordingUpstream.start()) {
            RouteSettings api = new RouteSettings("api", new RouteSettings.Match(null, List.of("/api/**"), null, null),
                    List.of(new RouteSettings.Destination("up", 100)), null, null, null, null, null, false, null, null,
                    new RouteSettings.Access(null, null, null, null, 3), true);
            EdgeSettings settings = EdgeFixture.settings(kafka, dir, Map.of("up", EdgeFixture.pool(upstream.url())), List.of(api))
                    .withServer(EdgeFixture.server(List.of("127.0.0.1/32")))
                    .withConsumers(Map.of("acme", new ConsumerSettings("gold", List.of(ApiKeys.hash("acme-key")), null,
                            CredentialsTest.bcrypt("acme-password"))), Map.of("gold", new PlanSettings(1000, 1000)));
            try (EdgeServer edge = EdgeServer.start(settings)) {
                for (int i = 0; i < 3; i++) {
                    assertThat(send(edge, "/api/guess", "198.51.100.7", "X-API-Key", "guess-" + i).statusCode()).isEqualTo(401);
                }
                String path = "/api/after-" + UUID.randomUUID();
                HttpResponse<String> refused = send(edge, path, "198.51.100.7", "X-API-Key", "acme-key");
                assertThat(refused.statusCode()).as("even a good key, once the address used up its failures").isEqualTo(429);
                assertThat(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 60L);
                assertThat(refused.body()).contains("too_many_failed_authentications");
                assertThat(upstream.seen(path)).isEmpty();
                String requestId = refused.headers().firstValue("X-Request-Id").orElseThrow();

                HttpResponse<String> other = send(edge, "/api/other", "198.51.100.8", "Authorization", basic("acme", "acme-password"));
                assertThat(other.statusCode()).as("another address is not held back").isEqualTo(200);
                assertThat(upstream.seen("/api/other").getFirst().header("Authorization"))
                        .as("the route forwards credentials, so the checked Authorization header reaches the upstream").startsWith("Basic ");
                assertThat(send(edge, "/api/none", "198.51.100.9", "X-Nothing", "-").statusCode()).as("no credential is no failure").isEqualTo(401);
                assertThat(send(edge, "/api/none", "198.51.100.9", "X-Nothing", "-").statusCode()).isEqualTo(401);
                assertThat(send(edge, "/api/none", "198.51.100.9", "X-Nothing", "-").statusCode()).isEqualTo(401);
                assertThat(send(edge, "/api/yes", "198.51.100.9", "X-API-Key", "acme-key").statusCode()).isEqualTo(200);

                List<DecisionEvent> decisions = RequestEventsOnTopic.decisions(kafka.bootstrapServers(), kafka.registryUrl(),
                        new Topics(kafka.topicPrefix()).name(Topic.DECISIONS), all -> all.stream().anyMatch(d -> d.getRequestId().equals(requestId)),
                        Duration.ofSeconds(30));
                assertThat(decisions).filteredOn(d -> d.getRequestId().equals(requestId)).singleElement().satisfies(d -> {
                    assertThat(d.getKind()).isEqualTo(DecisionKind.THROTTLE);
                    assertThat(d.getPolicy()).isEqualTo("route:api/auth/failures");
                    assertThat(d.getClientAddress()).isEqualTo("198.51.100.7");
                });
            }
        }
    }

    @Test
    void failuresAreCountedPerAddressAndForgottenAfterAMinute() {
        AuthFailures failures = new AuthFailures();
        long start = 1_000_000_000L;
        failures.failed("a", start);
        failures.failed("a", start + 1);
        assertThat(failures.retryAfterSeconds("a", 2, start + 2)).isEqualTo(60);
        assertThat(failures.retryAfterSeconds("a", 3, start + 2)).as("under a higher allowance").isZero();
        assertThat(failures.retryAfterSeconds("b", 2, start + 2)).isZero();
        assertThat(failures.retryAfterSeconds("a", 2, start + 30_000_000_000L)).isEqualTo(30);
        assertThat(failures.retryAfterSeconds("a", 2, start + AuthFailures.WINDOW_NANOS)).isZero();
        failures.failed("a", start + AuthFailures.WINDOW_NANOS);
        assertThat(failures.retryAfterSeconds("a", 2, start + AuthFailures.WINDOW_NANOS)).as("a new window").isZero();
    }
}
