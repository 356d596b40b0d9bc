package io.eventgate.edge.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.demo.DemoUpstream;
import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.RequestEventsOnTopic;
import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.edge.config.ServerSettings;
import io.eventgate.schemas.Topics;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Clients that go quiet or leave: idle connections are closed, a client leaving mid-download ends the upstream call. */
@ExtendWith(KafkaExtension.class)
class ClientBehaviourTest {

    EdgeServer edge(TestKafka kafka, Path journal, DemoUpstream upstream) {
        EdgeSettings settings = EdgeFixture.settings(kafka, journal, Map.of("demo", EdgeFixture.pool(upstream.url())),
                List.of(EdgeFixture.route("bytes", "/bytes/**", "demo")));
        ServerSettings quick = new ServerSettings("127.0.0.1", 0, 0, 0, 0, 0, Duration.ofMillis(500), List.of(), true, null, Duration.ofSeconds(1));
        return EdgeServer.start(settings.withServer(quick));
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout(TestKafka kafka, @TempDir Path journal) throws Exception {
        try (DemoUpstream upstream = DemoUpstream.start("127.0.0.1", 0); EdgeServer edge = edge(kafka, journal, upstream);
             Socket socket = new Socket("127.0.0.1", edge.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /bytes/1 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String head = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
            assertThat(head).isEqualTo("HTTP/1.1 200");
            long started = System.nanoTime();
            try {
                while (in.read() >= 0) {
                    // the rest of the response, then the connection sits idle until the edge closes it
                }
            } catch (SocketException reset) {
                // closed by the edge
            } catch (SocketTimeoutException stillOpen) {
                throw new AssertionError("the edge kept an idle connection open for 10 s");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void aClientTricklingItsHeadersIsCutOffAtTheHeadTimeout(TestKafka kafka, @TempDir Path journal) throws Exception {
        try (DemoUpstream upstream = DemoUpstream.start("127.0.0.1", 0); EdgeServer edge = edge(kafka, journal, upstream);
             Socket socket = new Socket("127.0.0.1", edge.port())) {
            OutputStream out = socket.getOutputStream();
            long started = System.nanoTime();
            out.write("GET /bytes/1 HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.ISO_8859_1));
            boolean cut = false;
            // a header line every 200 ms: each byte would reset an idle timeout of 500 ms, but not the 1 s head timeout
            for (int i = 0; i < 50 && !cut; i++) {
                try {
                    Thread.sleep(200); // the client's own pace, not a wait for the server
                    out.write(("X-Slow-" + i + ": 1\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                } catch (SocketException closed) {
                    cut = true;
                }
            }
            Duration held = Duration.ofNanos(System.nanoTime() - started);
            assertThat(cut).as("the edge closed the connection while the client was still sending headers").isTrue();
            assertThat(held).as("how long the trickling client held the connection").isLessThan(Duration.ofSeconds(4));
        }
    }

    @Test
    void aClientLeavingMidDownloadIsRecordedAsAbortAndTheUpstreamCallEnds(TestKafka kafka, @TempDir Path journal) throws Exception {
        try (DemoUpstream upstream = DemoUpstream.start("127.0.0.1", 0); EdgeServer edge = edge(kafka, journal, upstream)) {
            try (Socket socket = new Socket("127.0.0.1", edge.port())) {
                socket.getOutputStream().write("GET /bytes/1073741824 HTTP/1.1\r\nHost: x\r\nX-Request-Id: walks-away\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                InputStream in = socket.getInputStream();
                assertThat(in.readNBytes(64 * 1024)).hasSize(64 * 1024);
            } // gone after 64 KiB of a 1 GiB body
            Optional<RequestEvent> event = requestEvent(kafka, "walks-away");
            assertThat(event).isPresent();
            assertThat(event.get().getOutcome()).isEqualTo(RequestOutcome.CLIENT_ABORT);
            assertThat(event.get().getStatus()).isEqualTo(499);
            assertThat(event.get().getBytesOut()).isLessThan(1L << 30);
        }
    }

    static Optional<RequestEvent> requestEvent(TestKafka kafka, String requestId) {
        return RequestEventsOnTopic.read(kafka.bootstrapServers(), kafka.registryUrl(), new Topics(kafka.topicPrefix()).requests(),
                        read -> RequestEventsOnTopic.ids(read).contains(requestId), Duration.ofSeconds(60))
                .stream().filter(e -> e.getRequestId().equals(requestId)).findFirst();
    }

}
