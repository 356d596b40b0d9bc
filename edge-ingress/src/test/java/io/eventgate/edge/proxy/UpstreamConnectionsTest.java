package io.eventgate.edge.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The edge's HTTP/1.1 exchanges with upstreams: keep-alive connections reused while open, an upstream closing one is no
 * client error, and each way an upstream may frame its answer (RFC 9112 §6) is relayed whole.
 */
@ExtendWith(KafkaExtension.class)
class UpstreamConnectionsTest {
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path journal;

    EdgeServer edge(TestKafka kafka, RawUpstream upstream) {
        return EdgeServer.start(EdgeFixture.settings(kafka, journal, Map.of("p", EdgeFixture.pool(upstream.url())),
                List.of(EdgeFixture.route("r", "/**", "p"))));
    }

    HttpResponse<String> call(EdgeServer edge, String method) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + "/x"));
        request.method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString("payload") : HttpRequest.BodyPublishers.noBody());
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void sequentialRequestsShareOneUpstreamConnection(TestKafka kafka) throws Exception {
        try (RawUpstream upstream = RawUpstream.start(Integer.MAX_VALUE); EdgeServer edge = edge(kafka, upstream)) {
            for (int i = 0; i < 20; i++) {
                assertThat(call(edge, "GET").statusCode()).isEqualTo(200);
            }
            assertThat(upstream.requests()).isEqualTo(20);
            assertThat(upstream.connections()).isEqualTo(1);
        }
    }

    @Test
    void anIdempotentRequestOnAConnectionTheUpstreamClosedIsSentAgainOnANewOne(TestKafka kafka) throws Exception {
        // the upstream closes each connection after one answer without saying so, as when its keep-alive timeout runs out
        try (RawUpstream upstream = RawUpstream.start(1); EdgeServer edge = edge(kafka, upstream)) {
            for (int i = 0; i < 10; i++) {
                HttpResponse<String> response = call(edge, "GET");
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.body()).isEqualTo("ok");
            }
            assertThat(upstream.requests()).as("each request reached the upstream once").isEqualTo(10);

            // a POST may have had effects, so it is never sent twice: the client hears of the broken connection instead
            HttpResponse<String> post = call(edge, "POST");
            assertThat(post.statusCode()).isEqualTo(502);
            assertThat(upstream.requests()).isEqualTo(10);
            assertThat(call(edge, "POST").statusCode()).as("the next one gets a new connection").isEqualTo(200);
        }
    }

    @Test
    void chunkedAnswersWithExtensionsAndTrailersAreRelayedAndTheConnectionKept(TestKafka kafka) throws Exception {
        String chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\nhello\r\n7\r\n, world\r\n0\r\nChecksum: 1\r\n\r\n";
        try (RawUpstream upstream = RawUpstream.start(Integer.MAX_VALUE, chunked); EdgeServer edge = edge(kafka, upstream)) {
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> response = call(edge, "GET");
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.body()).isEqualTo("hello, world");
            }
            assertThat(upstream.connections()).isEqualTo(1);
        }
    }

    @Test
    void interimAnswersArePassedOverForTheFinalOne(TestKafka kafka) throws Exception {
        String answer = "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                + "HTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\nmade";
        try (RawUpstream upstream = RawUpstream.start(Integer.MAX_VALUE, answer); EdgeServer edge = edge(kafka, upstream)) {
            HttpResponse<String> response = call(edge, "GET");
            assertThat(response.statusCode()).isEqualTo(201);
            assertThat(response.body()).isEqualTo("made");
        }
    }

    @Test
    void anAnswerEndedByClosingTheConnectionIsRelayedAndTheConnectionNotReused(TestKafka kafka) throws Exception {
        // an HTTP/1.0 answer without a length ends when the upstream closes; RawUpstream closes after it
        try (RawUpstream upstream = RawUpstream.start(1, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end");
             EdgeServer edge = edge(kafka, upstream)) {
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> response = call(edge, "GET");
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.body()).isEqualTo("until the end");
            }
            assertThat(upstream.connections()).isEqualTo(3);
            assertThat(upstream.requests()).as("no request was sent on a closed connection").isEqualTo(3);
        }
    }

    /**
     * An HTTP/1.1 upstream on a plain server socket that sends a fixed answer ({@code 200 ok} unless given) to each
     * request and closes each connection after {@code answersPerConnection} answers, without a {@code Connection: close}.
     */
    static final class RawUpstream implements AutoCloseable {
        private final ServerSocket server;
        private final int answersPerConnection;
        private final byte[] answer;
        private final AtomicInteger connections = new AtomicInteger();
        private final AtomicInteger requests = new AtomicInteger();

        private RawUpstream(int answersPerConnection, String answer) throws IOException {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            this.answersPerConnection = answersPerConnection;
            this.answer = answer.getBytes(StandardCharsets.US_ASCII);
            Thread.ofVirtual().start(this::accept);
        }

        static RawUpstream start(int answersPerConnection) throws IOException {
            return start(answersPerConnection, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok");
        }

        static RawUpstream start(int answersPerConnection, String answer) throws IOException {
            return new RawUpstream(answersPerConnection, answer);
        }

        String url() {
            return "http://127.0.0.1:" + server.getLocalPort();
        }

        int connections() {
            return connections.get();
        }

        int requests() {
            return requests.get();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    connections.incrementAndGet();
                    Thread.ofVirtual().start(() -> serve(socket));
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        private void serve(Socket socket) {
            try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
                for (int answered = 0; answered < answersPerConnection; answered++) {
                    String head = readHead(in);
                    if (head == null) {
                        return;
                    }
                    skipBody(in, head);
                    requests.incrementAndGet();
                    out.write(answer);
                    out.flush();
                }
            } catch (IOException e) {
                // the edge closed the connection
            }
        }

        private static String readHead(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return null;
                }
                head.write(b);
            }
            return head.toString(StandardCharsets.US_ASCII);
        }

        private static void skipBody(InputStream in, String head) throws IOException {
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    in.readNBytes(Integer.parseInt(line.substring("content-length:".length()).trim()));
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
