package io.eventgate.edge.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.edge.config.EventSettings;
import io.eventgate.edge.config.KafkaSettings;
import io.eventgate.edge.proxy.UpstreamFailure;
import io.eventgate.edge.routing.RouteStep;
import io.eventgate.edge.snapshot.Snapshot;
import io.eventgate.policy.model.PoolSettings;
import io.eventgate.policy.model.RouteSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The edge's own errors as RFC 9457 problem details, the legacy shape a route may keep, and the documented list of types. */
class ProblemDetailsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Snapshot SNAPSHOT = Snapshot.build(new EdgeSettings("n", PipelineStepsTest.SERVER, new KafkaSettings("k:1", "http://r:1", null),
            new EventSettings(true, 0, new EventSettings.Journal(Path.of("/tmp/unused"), 0, 0, null, null)),
            Map.of("p", new PoolSettings(List.of(new PoolSettings.Instance("http://127.0.0.1:1", 1)), null, null, null, null, null)),
            List.of(route("modern", "/modern/**"), route("old", "/old/**").withErrorFormat("legacy"))), 1, null);

    static RouteSettings route(String id, String path) {
        return new RouteSettings(id, new RouteSettings.Match(null, List.of(path), null, null), List.of(new RouteSettings.Destination("p", 1)),
                null, null, null, null, null);
    }

    static PipelineStepsTest.RecordingClient refuse(String path) {
        PipelineStepsTest.RecordingClient client = new PipelineStepsTest.RecordingClient();
        Exchange exchange = new Exchange(Protocol.HTTP, "GET", path, null, "h", "127.0.0.1", "http", RequestHeaders.of(Map.of()), client, SNAPSHOT);
        exchange.requestId("r-9");
        new RouteStep().handle(exchange, e -> { });
        Replies.json(exchange, 429, RequestOutcome.DENIED, "rate_limited", "too many requests; retry after 1 s", Map.of("limit", "10/s"));
        return client;
    }

    @Test
    void errorsAreProblemDetailsWithTheRequestIdAndDetailsAsExtensions() throws Exception {
        PipelineStepsTest.RecordingClient client = refuse("/modern/x");
        assertThat(client.status).isEqualTo(429);
        assertThat(client.headers).contains("Content-Type: application/problem+json", "X-Request-Id: r-9");
        JsonNode problem = JSON.readTree(client.body.toByteArray());
        assertThat(problem.path("type").asText()).isEqualTo("urn:eventgate:problem:rate_limited");
        assertThat(problem.path("title").asText()).isEqualTo("Rate limited");
        assertThat(problem.path("status").asInt()).isEqualTo(429);
        assertThat(problem.path("detail").asText()).isEqualTo("too many requests; retry after 1 s");
        assertThat(problem.path("instance").asText()).isEqualTo("urn:eventgate:request:r-9");
        assertThat(problem.path("requestId").asText()).isEqualTo("r-9");
        assertThat(problem.path("limit").asText()).isEqualTo("10/s");
    }

    @Test
    void aRouteMayKeepTheLegacyShape() throws Exception {
        PipelineStepsTest.RecordingClient client = refuse("/old/x");
        assertThat(client.headers).contains("Content-Type: application/json");
        JsonNode legacy = JSON.readTree(client.body.toByteArray());
        assertThat(legacy.path("error").asText()).isEqualTo("rate_limited");
        assertThat(legacy.path("message").asText()).isEqualTo("too many requests; retry after 1 s");
        assertThat(legacy.path("requestId").asText()).isEqualTo("r-9");
        assertThat(legacy.has("type")).isFalse();
    }

    @Test
    void anUnknownErrorFormatIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> route("r", "/r/**").withErrorFormat("xml"))
                .hasMessageContaining("errorFormat must be 'problem'");
    }

    /** Every code the edge answers with, found in its sources, has a title and a row in docs/errors.md. */
    @Test
    void everyProblemTypeTheEdgeUsesIsTitledAndDocumented() throws Exception {
        Set<String> used = new TreeSet<>();
        Pattern literal = Pattern.compile("Replies\\.json\\(\\s*\\w+,\\s*[^,]+,\\s*[^,]+,\\s*\"([a-z_]+)\"");
        Pattern directive = Pattern.compile("refuse\\(exchange, next, \\w+, DecisionKind\\.\\w+, \\d+, \"([a-z_]+)\"");
        try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
            for (Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
                String text = Files.readString(source);
                for (Pattern pattern : List.of(literal, directive)) {
                    Matcher m = pattern.matcher(text);
                    while (m.find()) {
                        used.add(m.group(1));
                    }
                }
            }
        }
        for (UpstreamFailure failure : UpstreamFailure.values()) {
            used.add(failure.name().toLowerCase(java.util.Locale.ROOT));
        }
        assertThat(used).as("codes found in the sources").hasSizeGreaterThan(40);
        assertThat(Problems.all().keySet()).containsAll(used);
        String doc = Files.readString(Path.of("../docs/errors.md"));
        for (Map.Entry<String, String> problem : Problems.all().entrySet()) {
            assertThat(doc).as("docs/errors.md").contains("| `" + problem.getKey() + "` | " + problem.getValue() + " |");
        }
    }
}
