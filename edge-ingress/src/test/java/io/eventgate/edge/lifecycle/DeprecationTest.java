package io.eventgate.edge.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventgate.avro.RequestEvent;
import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.RecordingUpstream;
import io.eventgate.edge.RequestEventsOnTopic;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.policy.model.RoutePolicies;
import io.eventgate.schemas.Topics;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Deprecated and retired API versions through a real edge: their headers, 410 after the sunset, and the events marked. */
@ExtendWith(KafkaExtension.class)
class DeprecationTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final HttpClient http = HttpClient.newHttpClient();

    /** Every link of the answer, whether sent as several Link fields or one with comma-separated values (RFC 8288). */
    static List<String> links(HttpResponse<?> response) {
        return response.headers().allValues("Link").stream().flatMap(v -> java.util.Arrays.stream(v.split(",\\s*(?=<)"))).toList();
    }

    @Test
    void deprecatedVersionsSayItAndRetiredOnesAnswer410(TestKafka kafka, @TempDir Path dir) throws Exception {
        Instant since = Instant.now().minus(Duration.ofDays(30)).truncatedTo(ChronoUnit.SECONDS);
        Instant sunset = Instant.parse("2099-01-01T00:00:00Z");
        Instant past = Instant.now().minus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS);
        try (RecordingUpstream upstream = RecordingUpstream.start();
             EdgeServer edge = EdgeServer.start(EdgeFixture.settings(kafka, dir.resolve("journal"), Map.of("up", EdgeFixture.pool(upstream.url())), List.of(
                     EdgeFixture.route("v1", "/v1/**", "up").withDeprecation(new RoutePolicies.Deprecation(since, sunset,
                             "https://docs.example.com/migrate-to-v2", "https://api.example.com/v2", null)),
                     EdgeFixture.route("v0", "/v0/**", "up").withDeprecation(new RoutePolicies.Deprecation(since, past, null,
                             "https://api.example.com/v2", null)),
                     EdgeFixture.route("kept", "/kept/**", "up").withDeprecation(new RoutePolicies.Deprecation(since, past, null, null, true)),
                     EdgeFixture.route("v2", "/v2/**", "up"))))) {
            String base = "http://127.0.0.1:" + edge.port();
            HttpResponse<String> deprecated = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/orders")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(deprecated.statusCode()).isEqualTo(200);
            assertThat(deprecated.headers().firstValue("Deprecation")).hasValue("@" + since.getEpochSecond());
            assertThat(deprecated.headers().firstValue("Sunset")).hasValue("Thu, 1 Jan 2099 00:00:00 GMT");
            assertThat(links(deprecated)).containsExactlyInAnyOrder(
                    "<https://docs.example.com/migrate-to-v2>; rel=\"deprecation\"; type=\"text/html\"",
                    "<https://docs.example.com/migrate-to-v2>; rel=\"sunset\"; type=\"text/html\"",
                    "<https://api.example.com/v2>; rel=\"successor-version\"");

            HttpResponse<String> retired = http.send(HttpRequest.newBuilder(URI.create(base + "/v0/orders")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(retired.statusCode()).isEqualTo(410);
            JsonNode problem = JSON.readTree(retired.body());
            assertThat(problem.path("type").asText()).isEqualTo("urn:eventgate:problem:gone");
            assertThat(problem.path("detail").asText()).contains("https://api.example.com/v2");
            assertThat(links(retired)).contains("<https://api.example.com/v2>; rel=\"successor-version\"");
            assertThat(upstream.seen("/v0/orders")).as("a retired version never reaches its upstream").isEmpty();

            HttpResponse<String> kept = http.send(HttpRequest.newBuilder(URI.create(base + "/kept/x")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(kept.statusCode()).as("serveAfterSunset").isEqualTo(200);
            assertThat(kept.headers().firstValue("Sunset")).isPresent();
            HttpResponse<String> current = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/orders")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(current.headers().firstValue("Deprecation")).isEmpty();

            List<RequestEvent> events = RequestEventsOnTopic.read(kafka.bootstrapServers(), kafka.registryUrl(), new Topics(kafka.topicPrefix()).requests(),
                    e -> e.size() >= 4, Duration.ofSeconds(30));
            assertThat(events).extracting(e -> e.getRouteId() + ":" + e.getDeprecated())
                    .containsExactlyInAnyOrder("v1:true", "v0:true", "kept:true", "v2:false");
        }
    }
}
