package io.eventgate.edge.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.ZstdInputStream;
import io.eventgate.demo.DemoUpstream;
import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.edge.transform.Compression;
import io.eventgate.policy.model.RoutePolicies;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Answers compressed as the client asks, decoded by each client decoder; negotiation, exclusions and streaming. */
@ExtendWith(KafkaExtension.class)
class CompressionTest {
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    DemoUpstream upstream;
    EdgeServer edge;

    @BeforeEach
    void start(TestKafka kafka, @TempDir Path dir) {
        upstream = DemoUpstream.start("127.0.0.1", 0);
        RoutePolicies.Compression json = new RoutePolicies.Compression(null, 64, null);
        RoutePolicies.Compression bytes = new RoutePolicies.Compression(List.of("gzip", "zstd"), null, List.of("application/octet-stream"));
        edge = EdgeServer.start(EdgeFixture.settings(kafka, dir.resolve("journal"), Map.of("demo", EdgeFixture.pool(upstream.url())), List.of(
                EdgeFixture.route("echo", "/echo/**", "demo").withCompression(json),
                EdgeFixture.route("status", "/status/**", "demo").withCompression(json),
                EdgeFixture.route("bytes", "/bytes/**", "demo").withCompression(bytes),
                new io.eventgate.policy.model.RouteSettings("decoding", new io.eventgate.policy.model.RouteSettings.Match(null, List.of("/decoding/**"), null, null),
                        List.of(new io.eventgate.policy.model.RouteSettings.Destination("demo", 100)), "/decoding", "/echo", null, null, null).withCompression(new RoutePolicies.Compression(null, 64, null, true)))));
    }

    @AfterEach
    void stop() {
        edge.close();
        upstream.close();
    }

    HttpResponse<byte[]> get(String path, String acceptEncoding) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path));
        if (acceptEncoding != null) {
            request.header("Accept-Encoding", acceptEncoding);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static byte[] decode(HttpResponse<byte[]> response) throws Exception {
        String encoding = response.headers().firstValue("Content-Encoding").orElse("identity");
        try (InputStream in = switch (encoding) {
            case "gzip" -> new GZIPInputStream(new java.io.ByteArrayInputStream(response.body()));
            case "zstd" -> new ZstdInputStream(new java.io.ByteArrayInputStream(response.body()));
            default -> new java.io.ByteArrayInputStream(response.body());
        }) {
            return in.readAllBytes();
        }
    }

    @Test
    void theClientsPreferredEncodingRoundTrips() throws Exception {
        HttpResponse<byte[]> gzip = get("/echo/round-trip", "gzip");
        assertThat(gzip.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(gzip.headers().allValues("Vary")).contains("Accept-Encoding");
        assertThat(new String(decode(gzip), StandardCharsets.UTF_8)).contains("\"path\":\"/echo/round-trip\"");

        HttpResponse<byte[]> zstd = get("/echo/round-trip", "gzip;q=0.5, zstd");
        assertThat(zstd.headers().firstValue("Content-Encoding")).hasValue("zstd");
        assertThat(new String(decode(zstd), StandardCharsets.UTF_8)).contains("\"path\":\"/echo/round-trip\"");

        assertThat(get("/echo/x", "br, *;q=0.2").headers().firstValue("Content-Encoding")).as("the wildcard admits the route's first").hasValue("zstd");
        assertThat(get("/echo/x", "gzip;q=0, zstd;q=0").headers().firstValue("Content-Encoding")).as("both refused").isEmpty();
        HttpResponse<byte[]> plain = get("/echo/x", null);
        assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(new String(plain.body(), StandardCharsets.UTF_8)).contains("\"path\":\"/echo/x\"");
    }

    HttpResponse<String> post(String path, String encoding, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (encoding != null) {
            request.header("Content-Encoding", encoding);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static byte[] gzip(byte[] body) throws Exception {
        var out = new java.io.ByteArrayOutputStream();
        try (var gzip = new java.util.zip.GZIPOutputStream(out)) {
            gzip.write(body);
        }
        return out.toByteArray();
    }

    static byte[] zstd(byte[] body) throws Exception {
        var out = new java.io.ByteArrayOutputStream();
        try (var zstd = new com.github.luben.zstd.ZstdOutputStream(out)) {
            zstd.write(body);
        }
        return out.toByteArray();
    }

    static String text(int bytes) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < bytes; i++) {
            text.append("line ").append(i).append(' ');
        }
        return text.substring(0, bytes);
    }

    @Test
    void encodedRequestBodiesReachTheUpstreamDecodedOnRoutesThatDecodeThem(TestKafka kafka, @TempDir Path dir) throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        byte[] small = "{\"order\":42}".getBytes(StandardCharsets.UTF_8);
        var seen = json.readTree(post("/decoding/small", "gzip", gzip(small)).body());
        assertThat(seen.path("body").asText()).isEqualTo("{\"order\":42}");
        assertThat(seen.path("headers").has("content-encoding")).as("the encoding stays at the edge").isFalse();
        assertThat(seen.path("headers").path("content-length").path(0).asText()).isEqualTo(Integer.toString(small.length));

        String large = text(300_000); // past what the step reads whole: streamed to the upstream, chunked
        var streamed = json.readTree(post("/decoding/large", "zstd", zstd(large.getBytes(StandardCharsets.UTF_8))).body());
        assertThat(streamed.path("body").asText()).isEqualTo(large);
        assertThat(streamed.path("headers").has("content-length")).isFalse();

        // a route that does not decode passes the body on as it came, to an upstream that reads any encoding
        byte[] encoded = gzip(small);
        var raw = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        raw.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            byte[] answer = (exchange.getRequestHeaders().getFirst("Content-Encoding") + " " + java.util.Arrays.equals(body, encoded))
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        raw.start();
        try (EdgeServer passing = EdgeServer.start(EdgeFixture.settings(kafka, dir.resolve("passing"),
                Map.of("raw", EdgeFixture.pool("http://127.0.0.1:" + raw.getAddress().getPort())), List.of(EdgeFixture.route("raw", "/**", "raw"))))) {
            HttpResponse<String> untouched = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + passing.port() + "/upload"))
                    .header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofByteArray(encoded)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(untouched.body()).isEqualTo("gzip true");
        } finally {
            raw.stop(0);
        }
    }

    @Test
    void requestBodiesThatCannotBeDecodedAreRefusedClearly() throws Exception {
        HttpResponse<String> unsupported = post("/decoding/x", "br", new byte[] {1, 2, 3});
        assertThat(unsupported.statusCode()).isEqualTo(415);
        assertThat(unsupported.headers().firstValue("Accept-Encoding")).hasValue("gzip, zstd");
        assertThat(unsupported.body()).contains("unsupported_encoding").contains("'br'");

        HttpResponse<String> corrupt = post("/decoding/x", "gzip", "not gzip at all".getBytes(StandardCharsets.UTF_8));
        assertThat(corrupt.statusCode()).isEqualTo(400);
        assertThat(corrupt.body()).contains("body_undecodable").contains("not valid gzip");

        byte[] whole = gzip(text(300_000).getBytes(StandardCharsets.UTF_8));
        byte[] truncated = java.util.Arrays.copyOf(whole, whole.length - 16); // fails past what the step reads whole
        HttpResponse<String> cut = post("/decoding/x", "gzip", truncated);
        assertThat(cut.statusCode()).isEqualTo(400);
        assertThat(cut.body()).contains("body_undecodable");

        byte[] bomb = gzip(new byte[11 << 20]); // 11 MiB of zeros in a few kB, past the 10 MiB body limit once decoded
        assertThat(bomb.length).isLessThan(64 * 1024);
        HttpResponse<String> swollen = post("/decoding/x", "gzip", bomb);
        assertThat(swollen.statusCode()).isEqualTo(413);
        assertThat(swollen.body()).contains("body_too_large");
    }

    @Test
    void smallOrErrorOrUnlistedAnswersGoAsTheyAre() throws Exception {
        assertThat(get("/status/500", "gzip").headers().firstValue("Content-Encoding")).as("an error status").isEmpty();
        assertThat(get("/status/200", "gzip").headers().firstValue("Content-Encoding")).as("under minBytes").isEmpty();
    }

    @Test
    void largeBodiesStreamCompressedAndDecodeToTheSameBytes() throws Exception {
        long size = 64L << 20;
        for (String encoding : List.of("gzip", "zstd")) {
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + "/bytes/" + size))
                    .header("Accept-Encoding", encoding).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.headers().firstValue("Content-Encoding")).hasValue(encoding);
            assertThat(response.headers().firstValue("Content-Length")).as("streamed, chunked").isEmpty();
            long decoded = 0;
            try (InputStream in = encoding.equals("gzip") ? new GZIPInputStream(response.body()) : new ZstdInputStream(response.body())) {
                byte[] buffer = new byte[64 * 1024];
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    decoded += n;
                }
            }
            assertThat(decoded).isEqualTo(size);
        }
        var bytes = edge.metrics().registry().get("edge.compression.bytes").tags("encoding", "zstd");
        assertThat(bytes.tag("side", "upstream").counter().count()).isEqualTo(size);
        assertThat(edge.metrics().registry().get("edge.compression.bytes").tags("encoding", "zstd", "side", "client").counter().count())
                .as("zeros compress").isLessThan(size / 100.0);
    }

    @Test
    void negotiationFollowsQValuesThenTheRoutesOrder() {
        List<String> offered = List.of("zstd", "gzip");
        assertThat(Compression.negotiate(offered, "gzip, zstd")).isEqualTo("zstd");
        assertThat(Compression.negotiate(offered, "gzip;q=1.0, zstd;q=0.9")).isEqualTo("gzip");
        assertThat(Compression.negotiate(offered, "deflate, br")).isNull();
        assertThat(Compression.negotiate(offered, "*")).isEqualTo("zstd");
        assertThat(Compression.negotiate(offered, "*;q=0.5, zstd;q=0")).isEqualTo("gzip");
        assertThat(Compression.negotiate(offered, "gzip;q=bogus")).isNull();
        assertThat(Compression.negotiate(offered, "")).isNull();
    }
}
