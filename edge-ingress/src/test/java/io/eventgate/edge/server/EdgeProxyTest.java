package io.eventgate.edge.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.demo.DemoUpstream;
import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.RequestEventsOnTopic;
import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.policy.model.ConsumerSettings;
import io.eventgate.policy.model.RouteSettings;
import io.eventgate.schemas.Topics;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The edge as a client sees it: real HTTP over loopback to a real upstream, events read back from the broker. */
@ExtendWith(KafkaExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EdgeProxyTest {
    static final ObjectMapper JSON = new ObjectMapper();

    DemoUpstream upstream;
    EdgeServer edge;
    TestKafka kafka;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static final String ADMIN_TOKEN = "admin-token-for-tests";

    @BeforeAll
    void start(TestKafka kafka, @TempDir Path journal) {
        this.kafka = kafka;
        upstream = DemoUpstream.start("127.0.0.1", 0);
        RouteSettings api = new RouteSettings("api", new RouteSettings.Match(null, List.of("/api/**"), null, null),
                List.of(new RouteSettings.Destination("demo", 100)), "/api", "/echo", null, null, null);
        EdgeSettings settings = EdgeFixture.settings(kafka, journal, Map.of("demo", EdgeFixture.pool(upstream.url())),
                List.of(EdgeFixture.route("echo", "/echo/**", "demo"), api, EdgeFixture.route("status", "/status/{code}", "demo"),
                        EdgeFixture.route("ws", "/ws/**", "demo")));
        edge = EdgeServer.start(settings.withServer(settings.server().withAdminTokenHash(ConsumerSettings.hashKey(ADMIN_TOKEN))));
    }

    @AfterAll
    void stop() {
        edge.close();
        upstream.close();
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path));
    }

    @Test
    void aRequestBodyOfUnknownLengthReachesTheUpstreamInChunks() throws Exception {
        String text = "line of a streamed upload\n".repeat(5_000);
        HttpResponse<String> response = send(get("/echo/upload").POST(HttpRequest.BodyPublishers.ofInputStream(
                () -> new java.io.ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)))));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode echo = JSON.readTree(response.body());
        assertThat(echo.path("headers").path("transfer-encoding").path(0).asText()).isEqualTo("chunked");
        assertThat(echo.path("body").asText()).isEqualTo(text);
    }

    @Test
    void theRoutedPathAndTheQueryReachTheUpstreamByteForByte() throws Exception {
        // an escaped '?', '#', '&' or space stays escaped: decoded, it would make another path or other parameters; and a
        // '+' is not a space to every upstream (signed URLs, timestamps), so the edge neither decodes nor re-encodes
        String path = "/echo/a%3Fb%23c%20d%26e+f";
        String query = "q=a+b&t=2026-01-01T00:00:00+01:00&p=1%2B2&amp=%26x%3Dy&empty=&flag&twice=1&twice=2&s=%7e~";
        HttpResponse<String> response = send(get(path + "?" + query));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode echo = JSON.readTree(response.body());
        assertThat(echo.path("path").asText()).isEqualTo(path);
        assertThat(echo.path("query").asText()).isEqualTo(query);
    }

    @Test
    void proxiesToTheUpstreamWithForwardingAndTracingHeaders() throws Exception {
        HttpResponse<String> response = send(get("/echo/hi?x=1").header("X-Custom", "kept"));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode echo = JSON.readTree(response.body());
        assertThat(echo.path("path").asText()).isEqualTo("/echo/hi");
        assertThat(echo.path("query").asText()).isEqualTo("x=1");
        JsonNode headers = echo.path("headers");
        assertThat(headers.path("x-custom").get(0).asText()).isEqualTo("kept");
        assertThat(headers.path("x-forwarded-for").get(0).asText()).isEqualTo("127.0.0.1");
        assertThat(headers.path("x-forwarded-proto").get(0).asText()).isEqualTo("http");
        assertThat(headers.path("forwarded").get(0).asText()).startsWith("for=127.0.0.1;proto=http");
        assertThat(headers.path("x-request-id").get(0).asText()).isNotBlank();
        assertThat(headers.path("traceparent").get(0).asText()).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[13]");
        assertThat(response.headers().firstValue("X-Request-Id")).hasValue(headers.path("x-request-id").get(0).asText());
    }

    @Test
    void prefixIsRewritten() throws Exception {
        JsonNode echo = JSON.readTree(send(get("/api/x/y")).body());
        assertThat(echo.path("path").asText()).isEqualTo("/echo/x/y");
    }

    @Test
    void clientTraceIsContinued() throws Exception {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        JsonNode echo = JSON.readTree(send(get("/echo/t").header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")).body());
        assertThat(echo.path("headers").path("traceparent").get(0).asText()).contains(traceId).doesNotContain("00f067aa0ba902b7");
    }

    @Test
    void hopByHopHeadersAndSpoofedForwardingNeverReachTheUpstream() throws Exception {
        String raw = "GET /echo/h HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive, X-Secret\r\nX-Secret: 1\r\n"
                + "Keep-Alive: timeout=5\r\nTE: trailers\r\nProxy-Authorization: Basic Zm9vOmJhcg==\r\n"
                + "X-Forwarded-For: 6.6.6.6\r\nX-Forwarded-Host: evil.example\r\nForwarded: for=6.6.6.6\r\nX-Request-Id: mine-123\r\n\r\n";
        JsonNode headers = JSON.readTree(rawExchange(raw)).path("headers");

        assertThat(headers.has("x-secret")).isFalse();
        assertThat(headers.has("keep-alive")).isFalse();
        assertThat(headers.has("te")).isFalse();
        assertThat(headers.has("proxy-authorization")).isFalse();
        assertThat(headers.path("x-forwarded-for").get(0).asText()).isEqualTo("127.0.0.1");
        assertThat(headers.path("x-forwarded-host").get(0).asText()).isEqualTo("127.0.0.1");
        assertThat(headers.path("forwarded").get(0).asText()).doesNotContain("6.6.6.6");
        assertThat(headers.path("x-request-id").get(0).asText()).isEqualTo("mine-123");
    }

    @Test
    void noRouteIs404WithProblemDetails() throws Exception {
        HttpResponse<String> response = send(get("/nowhere?x=1"));
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("type").asText()).isEqualTo("urn:eventgate:problem:no_route");
        assertThat(problem.path("title").asText()).isEqualTo("No route");
        assertThat(problem.path("status").asInt()).isEqualTo(404);
        assertThat(problem.path("detail").asText()).isEqualTo("no route matches GET /nowhere");
        assertThat(problem.path("instance").asText()).isEqualTo("urn:eventgate:request:" + response.headers().firstValue("X-Request-Id").orElseThrow());
        assertThat(problem.path("requestId").asText()).isEqualTo(response.headers().firstValue("X-Request-Id").orElseThrow());
    }

    @Test
    void encodingTricksCannotEscapeARoute() throws Exception {
        assertThat(send(get("/echo/../admin")).statusCode()).isEqualTo(404);
        assertThat(rawStatus("GET /echo/%2e%2e/admin HTTP/1.1\r\nHost: x\r\n\r\n")).isEqualTo(404);
        assertThat(rawStatus("GET /echo/..%2fadmin HTTP/1.1\r\nHost: x\r\n\r\n")).isEqualTo(400);
        assertThat(rawStatus("GET /echo/%2e%2e%5cadmin HTTP/1.1\r\nHost: x\r\n\r\n")).isEqualTo(400);
        JsonNode echo = JSON.readTree(send(get("/echo/a/./b//c")).body());
        assertThat(echo.path("path").asText()).isEqualTo("/echo/a/b/c");
    }

    @Test
    void limitsAnswerWithTheirOwnStatus() throws Exception {
        assertThat(rawStatus("GET /echo/" + "a".repeat(4096) + " HTTP/1.1\r\nHost: x\r\n\r\n")).isEqualTo(414);
        assertThat(rawStatus("GET /echo/h HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(10_000) + "\r\n\r\n")).isEqualTo(431);
        HttpResponse<String> tooLarge = send(get("/echo/upload").POST(HttpRequest.BodyPublishers.ofByteArray(new byte[2 * 1024 * 1024])));
        assertThat(tooLarge.statusCode()).isEqualTo(413);
    }

    @Test
    void everyRequestYieldsExactlyOneRequestEvent() throws Exception {
        Map<String, Integer> sent = new HashMap<>();
        sent.put(send(get("/echo/one")).headers().firstValue("X-Request-Id").orElseThrow(), 200);
        sent.put(send(get("/status/503")).headers().firstValue("X-Request-Id").orElseThrow(), 503);
        sent.put(send(get("/missing")).headers().firstValue("X-Request-Id").orElseThrow(), 404);
        sent.put(JSON.readTree(rawExchange("GET /echo/%2fx HTTP/1.1\r\nHost: x\r\n\r\n")).path("requestId").asText(), 400);

        Map<String, RequestEvent> events = readRequestEvents(sent.keySet(), Duration.ofSeconds(30));

        assertThat(events.keySet()).containsExactlyInAnyOrderElementsOf(sent.keySet());
        sent.forEach((id, status) -> assertThat(events.get(id).getStatus()).as(id).isEqualTo(status));
        RequestEvent proxied = events.values().stream().filter(e -> e.getStatus() == 200).findFirst().orElseThrow();
        assertThat(proxied.getOutcome()).isEqualTo(RequestOutcome.PROXIED);
        assertThat(proxied.getRouteId()).isEqualTo("echo");
        assertThat(proxied.getConsumerId()).isEqualTo("anonymous");
        assertThat(proxied.getUpstreamInstance()).isEqualTo("127.0.0.1:" + upstream.port());
        assertThat(proxied.getNode()).isEqualTo("edge-test");
        assertThat(proxied.getBytesOut()).isPositive();
        assertThat(events.values()).filteredOn(e -> e.getStatus() == 404).first()
                .satisfies(e -> assertThat(e.getOutcome()).isEqualTo(RequestOutcome.NO_ROUTE));
        assertThat(events.values()).filteredOn(e -> e.getStatus() == 400).first()
                .satisfies(e -> assertThat(e.getOutcome()).isEqualTo(RequestOutcome.REJECTED));
    }

    Map<String, RequestEvent> readRequestEvents(Set<String> ids, Duration timeout) {
        List<RequestEvent> events = RequestEventsOnTopic.read(kafka.bootstrapServers(), kafka.registryUrl(), new Topics(kafka.topicPrefix()).requests(),
                read -> RequestEventsOnTopic.ids(read).containsAll(ids), timeout);
        Map<String, RequestEvent> found = new HashMap<>();
        List<String> duplicates = new ArrayList<>();
        for (RequestEvent event : events) {
            if (ids.contains(event.getRequestId()) && found.put(event.getRequestId(), event) != null) {
                duplicates.add(event.getRequestId());
            }
        }
        assertThat(duplicates).as("request ids seen twice").isEmpty();
        return found;
    }

    int rawStatus(String request) throws IOException {
        String response = rawExchangeFull(request);
        return Integer.parseInt(response.substring(9, 12));
    }

    /** The body of the response to a raw HTTP/1.1 request (Connection: close is added). */
    String rawExchange(String request) throws IOException {
        String response = rawExchangeFull(request);
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    /** Sends a raw request and reads one response (status line, headers, then a Content-Length or chunked body). */
    String rawExchangeFull(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", edge.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    break;
                }
                head.append((char) c);
            }
            String headers = head.toString().toLowerCase();
            String body;
            if (headers.contains("transfer-encoding: chunked")) {
                StringBuilder chunks = new StringBuilder();
                while (true) {
                    StringBuilder line = new StringBuilder();
                    for (int c = in.read(); c != '\n' && c >= 0; c = in.read()) {
                        line.append((char) c);
                    }
                    int size = Integer.parseInt(line.toString().trim(), 16);
                    if (size == 0) {
                        break;
                    }
                    chunks.append(new String(in.readNBytes(size), StandardCharsets.ISO_8859_1));
                    in.readNBytes(2);
                }
                body = chunks.toString();
            } else {
                int at = headers.indexOf("content-length:");
                int length = at < 0 ? 0 : Integer.parseInt(headers.substring(at + 15, headers.indexOf("\r\n", at)).trim());
                body = new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
            }
            return head + body;
        }
    }

    @Test
    void http2ClientsAreServedOverCleartextUpgrade() throws Exception {
        HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        HttpResponse<String> response = h2.send(get("/echo/h2").build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> again = h2.send(get("/echo/h2-again").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(again.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(JSON.readTree(again.body()).path("path").asText()).isEqualTo("/echo/h2-again");
    }

    @Test
    void emergencySwitchTurnsARouteTo503AndBack() throws Exception {
        HttpRequest.Builder withoutToken = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.adminPort() + "/routes/status/disable"))
                .POST(HttpRequest.BodyPublishers.noBody());
        HttpResponse<String> refused401 = send(withoutToken);
        assertThat(refused401.statusCode()).as("a change to the node needs the admin token").isEqualTo(401);
        assertThat(refused401.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"eventgate-admin\"");
        assertThat(send(withoutToken.copy().header("Authorization", "Bearer not-the-token")).statusCode()).isEqualTo(401);
        assertThat(send(get("/status/200")).statusCode()).as("a refused admin call changed nothing").isEqualTo(200);

        HttpRequest.Builder disable = withoutToken.copy().header("Authorization", "Bearer " + ADMIN_TOKEN);
        assertThat(send(disable).statusCode()).isEqualTo(200);
        HttpResponse<String> refused = send(get("/status/200"));
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(refused.body()).path("type").asText()).isEqualTo("urn:eventgate:problem:route_disabled");
        assertThat(send(get("/echo/still-fine")).statusCode()).isEqualTo(200);

        HttpRequest.Builder enable = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.adminPort() + "/routes/status/enable"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).POST(HttpRequest.BodyPublishers.noBody());
        assertThat(send(enable).statusCode()).isEqualTo(200);
        assertThat(send(get("/status/200")).statusCode()).isEqualTo(200);
        HttpRequest.Builder unknown = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.adminPort() + "/routes/nope/disable"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).POST(HttpRequest.BodyPublishers.noBody());
        assertThat(send(unknown).statusCode()).isEqualTo(404);
    }

    @Test
    void adminPortServesHealthMetricsAndConfigAndTheClientPortDoesNot() throws Exception {
        String admin = "http://127.0.0.1:" + edge.adminPort();
        send(get("/echo/for-metrics"));
        assertThat(send(HttpRequest.newBuilder(URI.create(admin + "/observe/health"))).statusCode()).isEqualTo(200);
        String metrics = send(HttpRequest.newBuilder(URI.create(admin + "/observe/metrics"))).body();
        assertThat(metrics).contains("edge_requests_seconds_count{route=\"echo\",status_class=\"2xx\"}")
                .contains("edge_events_published_total").contains("edge_events_journal_bytes");
        JsonNode config = JSON.readTree(send(HttpRequest.newBuilder(URI.create(admin + "/config"))).body());
        assertThat(config.path("checksum").asText()).hasSize(64);
        assertThat(send(get("/observe/metrics")).statusCode()).as("admin endpoints are not on the client port").isEqualTo(404);
    }

    @Test
    void webSocketSessionsAreProxiedBothWays() throws Exception {
        java.util.concurrent.BlockingQueue<String> received = new java.util.concurrent.LinkedBlockingQueue<>();
        java.net.http.WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + edge.port() + "/ws/echo"), new java.net.http.WebSocket.Listener() {
                    @Override
                    public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket webSocket, CharSequence data, boolean last) {
                        received.add(data.toString());
                        webSocket.request(1);
                        return null;
                    }
                }).get(10, java.util.concurrent.TimeUnit.SECONDS);
        socket.sendText("hello through the edge", true).get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(received.poll(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("hello through the edge");
        socket.sendText("second", true).get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(received.poll(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("second");
        socket.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done").get(5, java.util.concurrent.TimeUnit.SECONDS);
    }
}
