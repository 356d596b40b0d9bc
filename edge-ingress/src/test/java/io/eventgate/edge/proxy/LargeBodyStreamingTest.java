package io.eventgate.edge.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.demo.DemoUpstream;
import io.eventgate.edge.ControllableUpstream;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A 1 GiB download and a 1 GiB upload pass through an edge whose whole heap is 96 MiB: bodies stream. */
@ExtendWith(KafkaExtension.class)
class LargeBodyStreamingTest {
    static final long ONE_GIB = 1L << 30;

    @Test
    void oneGibInEachDirectionThroughA96MibHeap(TestKafka kafka, @TempDir Path dir) throws Exception {
        try (DemoUpstream download = DemoUpstream.start("127.0.0.1", 0);
             ControllableUpstream upload = ControllableUpstream.start()) {
            int port = freePort();
            int admin = freePort();
            Path config = dir.resolve("edge.yaml");
            Files.writeString(config, """
                    nodeId: edge-big
                    server: {host: 127.0.0.1, port: %d, adminPort: %d, maxBodyBytes: 2147483648}
                    kafka: {bootstrapServers: "%s", schemaRegistryUrl: "%s", topicPrefix: "%s"}
                    events: {journal: {dir: "%s"}}
                    pools:
                      download: {instances: [{url: "%s"}]}
                      upload: {instances: [{url: "%s"}]}
                    routes:
                      - {id: bytes, match: {paths: ["/bytes/**"]}, upstreams: [{pool: download}],
                         compression: {encodings: [zstd], contentTypes: [application/octet-stream]}}
                      - {id: sink, match: {paths: ["/sink/**"]}, upstreams: [{pool: upload}]}
                    """.formatted(port, admin, kafka.bootstrapServers(), kafka.registryUrl(), kafka.topicPrefix(),
                    dir.resolve("journal"), download.url(), upload.url()));
            Process edge = new ProcessBuilder(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx96m", "-XX:+ExitOnOutOfMemoryError",
                    "-cp", System.getProperty("java.class.path"),
                    "io.eventgate.edge.EdgeMain", config.toString()))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("edge.log").toFile()).start();
            try {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
                awaitListening(http, port, edge);

                HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/bytes/" + ONE_GIB)).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                assertThat(response.statusCode()).isEqualTo(200);
                long received = 0;
                try (InputStream body = response.body()) {
                    byte[] buffer = new byte[64 * 1024];
                    for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
                        received += n;
                    }
                }
                assertThat(received).isEqualTo(ONE_GIB);

                HttpResponse<InputStream> compressed = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/bytes/" + ONE_GIB))
                        .header("Accept-Encoding", "zstd").build(), HttpResponse.BodyHandlers.ofInputStream());
                assertThat(compressed.headers().firstValue("Content-Encoding")).hasValue("zstd");
                long decoded = 0;
                try (InputStream body = new com.github.luben.zstd.ZstdInputStream(compressed.body())) {
                    byte[] buffer = new byte[64 * 1024];
                    for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
                        decoded += n;
                    }
                }
                assertThat(decoded).as("compressed on the fly with constant memory").isEqualTo(ONE_GIB);

                HttpResponse<String> uploaded = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sink/big"))
                        .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> new ZeroStream(ONE_GIB)), ONE_GIB))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(uploaded.statusCode()).isEqualTo(200);
                assertThat(edge.isAlive()).as("the edge survived with a 96 MiB heap; log: " + dir.resolve("edge.log")).isTrue();
            } finally {
                edge.destroy();
                edge.waitFor();
            }
        }
    }

    static void awaitListening(HttpClient http, int port, Process edge) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && edge.isAlive()) {
            try {
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/bytes/1")).build(), HttpResponse.BodyHandlers.discarding());
                return;
            } catch (java.io.IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("edge did not start listening on " + port);
    }

    static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** {@code length} zero bytes, generated as read. */
    static final class ZeroStream extends InputStream {
        private long left;

        ZeroStream(long length) {
            this.left = length;
        }

        @Override
        public int read() {
            if (left <= 0) {
                return -1;
            }
            left--;
            return 0;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(length, left);
            java.util.Arrays.fill(buffer, offset, offset + n, (byte) 0);
            left -= n;
            return n;
        }
    }
}
