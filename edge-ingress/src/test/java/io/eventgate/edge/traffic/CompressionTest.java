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
                EdgeFixture.route("bytes", "/bytes/**", "demo").withCompression(bytes))));
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

        assertThat(get("/echo/x", "br, *;q=0.2").headers().firstValue("Content-Encoding")).as("the wildcard admits the route's first").hasValue("gzip");
        assertThat(get("/echo/x", "gzip;q=0, zstd;q=0").headers().firstValue("Content-Encoding")).as("both refused").isEmpty();
        HttpResponse<byte[]> plain = get("/echo/x", null);
        assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(new String(plain.body(), StandardCharsets.UTF_8)).contains("\"path\":\"/echo/x\"");
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
