package io.eventgate.edge.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * An answer without a body holds its connection until the proxy knows the answer came in time: had the first-byte timer
 * fired as the head arrived, the connection is closed, never given back for another request to find interrupted.
 */
class BodilessAnswerTest {
    /** An upstream that answers 204 to one request and tells whether the edge then closed the connection. */
    record OneAnswer(ServerSocket server, CompletableFuture<Boolean> closedByEdge) implements AutoCloseable {
        static OneAnswer start() throws Exception {
            ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
            CompletableFuture<Boolean> closed = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (Socket socket = server.accept()) {
                    socket.setSoTimeout(2_000);
                    InputStream in = socket.getInputStream();
                    StringBuilder head = new StringBuilder();
                    while (!head.toString().endsWith("\r\n\r\n")) {
                        head.append((char) in.read());
                    }
                    OutputStream out = socket.getOutputStream();
                    out.write("HTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    closed.complete(in.read() < 0);
                } catch (java.net.SocketTimeoutException e) {
                    closed.complete(false); // still open: the connection was kept
                } catch (Exception e) {
                    closed.completeExceptionally(e);
                }
            });
            return new OneAnswer(server, closed);
        }

        io.eventgate.edge.upstream.Instance instance() {
            return new io.eventgate.edge.upstream.UpstreamPool("p", io.eventgate.edge.EdgeFixture.pool("http://127.0.0.1:" + server.getLocalPort()))
                    .instances().getFirst();
        }

        @Override
        public void close() throws Exception {
            server.close();
        }
    }

    static UpstreamExchange ask(UpstreamClients clients, io.eventgate.edge.upstream.Instance instance) {
        var connection = clients.open(instance, Duration.ofSeconds(2));
        return UpstreamExchange.send(connection, new UpstreamRequestHead("GET", "/x").header("Host", "up"), null)
                .receive(false);
    }

    @Test
    void aBodilessAnswerTheTimerOvertookClosesItsConnection() throws Exception {
        try (OneAnswer upstream = OneAnswer.start(); UpstreamClients clients = new UpstreamClients()) {
            var instance = upstream.instance();
            UpstreamExchange answer = ask(clients, instance);
            assertThat(answer.status()).isEqualTo(204);
            answer.close(); // what the proxy does when the first-byte timer fired first
            assertThat(clients.kept(instance)).as("nothing was given back").isNull();
            assertThat(upstream.closedByEdge().get()).as("the upstream saw the connection closed").isTrue();
        }
    }

    @Test
    void aBodilessAnswerInTimeGivesItsConnectionBack() throws Exception {
        try (OneAnswer upstream = OneAnswer.start(); UpstreamClients clients = new UpstreamClients()) {
            var instance = upstream.instance();
            UpstreamExchange answer = ask(clients, instance);
            assertThat(clients.kept(instance)).as("held until the answer is known to be in time").isNull();
            answer.answered();
            answer.close();
            var kept = clients.kept(instance);
            assertThat(kept).as("kept for the next request").isNotNull();
            assertThat(upstream.closedByEdge().get()).isFalse();
            kept.closeResource();
        }
    }
}
