package io.eventgate.edge.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.edge.config.EventSettings;
import io.eventgate.edge.config.KafkaSettings;
import io.eventgate.policy.model.PoolSettings;
import io.eventgate.policy.model.RouteSettings;
import io.eventgate.edge.config.ServerSettings;
import io.eventgate.edge.limits.RequestSizeStep;
import io.eventgate.edge.routing.NormalizeStep;
import io.eventgate.edge.routing.RouteStep;
import io.eventgate.edge.snapshot.Snapshot;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each step on a plain exchange, no server. */
class PipelineStepsTest {
    /** A client connection that records what the gateway answered. */
    static final class RecordingClient implements ClientConnection {
        int status;
        final List<String> headers = new ArrayList<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean committed;

        @Override public boolean hasRequestBody() { return false; }
        @Override public long requestContentLength() { return -1; }
        @Override public InputStream requestBody() { return InputStream.nullInputStream(); }
        @Override public void status(int status) { this.status = status; }
        @Override public void header(String name, String value) { headers.add(name + ": " + value); }
        @Override public void contentLength(long length) { }
        @Override public OutputStream responseBody() { committed = true; return body; }
        @Override public void send(byte[] bytes) { committed = true; body.writeBytes(bytes); }
        @Override public boolean committed() { return committed; }
    }

    static final ServerSettings SERVER = new ServerSettings("127.0.0.1", 0, 0, 1024, 256, 100, null, null, false);
    static final Snapshot SNAPSHOT = Snapshot.build(new EdgeSettings("n", SERVER, new KafkaSettings("k:1", "http://r:1", null),
            new EventSettings(true, 0, new EventSettings.Journal(Path.of("/tmp/unused"), 0, 0, null, null)),
            Map.of("p", new PoolSettings(List.of(new PoolSettings.Instance("http://127.0.0.1:1", 1)), null, null, null, null, null)),
            List.of(new RouteSettings("users", new RouteSettings.Match(null, List.of("/users/{id}"), List.of("GET"), null),
                    List.of(new RouteSettings.Destination("p", 1)), null, null, null, null, null))), 1, null);

    static Exchange exchange(String method, String path, Map<String, List<String>> headers, RecordingClient client) {
        Exchange exchange = new Exchange(Protocol.HTTP, method, path, null, "h", "127.0.0.1", "http", RequestHeaders.of(headers), client, SNAPSHOT);
        exchange.requestId("r-1");
        return exchange;
    }

    static boolean passes(Step step, Exchange exchange) {
        boolean[] passed = {false};
        step.handle(exchange, e -> passed[0] = true);
        return passed[0];
    }

    @Test
    void normalizeRewritesThePathOrAnswers400() {
        RecordingClient client = new RecordingClient();
        Exchange ok = exchange("GET", "/users/../users/%37", Map.of(), client);
        assertThat(passes(new NormalizeStep(), ok)).isTrue();
        assertThat(ok.path()).isEqualTo("/users/7");

        Exchange bad = exchange("GET", "/users/%2f", Map.of(), client);
        assertThat(passes(new NormalizeStep(), bad)).isFalse();
        assertThat(client.status).isEqualTo(400);
        assertThat(bad.outcome()).isEqualTo(RequestOutcome.REJECTED);
    }

    @Test
    void routeFindsTheRouteOrAnswers404() {
        Exchange found = exchange("GET", "/users/7", Map.of(), new RecordingClient());
        assertThat(passes(new RouteStep(), found)).isTrue();
        assertThat(found.route().id()).isEqualTo("users");
        assertThat(found.pathVariables()).containsEntry("id", "7");

        RecordingClient client = new RecordingClient();
        Exchange missing = exchange("DELETE", "/users/7", Map.of(), client);
        assertThat(passes(new RouteStep(), missing)).isFalse();
        assertThat(client.status).isEqualTo(404);
        assertThat(client.body.toString()).contains("\"type\":\"urn:eventgate:problem:no_route\"").contains("r-1");
    }

    @Test
    void sizeLimitsAnswer414And431() {
        RecordingClient longUri = new RecordingClient();
        assertThat(passes(new RequestSizeStep(SERVER), exchange("GET", "/" + "a".repeat(300), Map.of(), longUri))).isFalse();
        assertThat(longUri.status).isEqualTo(414);

        RecordingClient bigHeaders = new RecordingClient();
        assertThat(passes(new RequestSizeStep(SERVER), exchange("GET", "/x", Map.of("X-Big", List.of("b".repeat(2000))), bigHeaders))).isFalse();
        assertThat(bigHeaders.status).isEqualTo(431);

        assertThat(passes(new RequestSizeStep(SERVER), exchange("GET", "/x", Map.of("X-Small", List.of("s")), new RecordingClient()))).isTrue();
    }
}
