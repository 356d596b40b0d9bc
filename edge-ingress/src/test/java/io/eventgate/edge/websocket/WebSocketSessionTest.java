package io.eventgate.edge.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventgate.avro.DecisionEvent;
import io.eventgate.avro.DecisionKind;
import io.eventgate.avro.RequestEvent;
import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.RecordingUpstream;
import io.eventgate.edge.RequestEventsOnTopic;
import io.eventgate.edge.auth.ApiKeys;
import io.eventgate.edge.config.AuthSettings;
import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.policy.model.ConsumerSettings;
import io.eventgate.policy.model.PlanSettings;
import io.eventgate.policy.model.RouteSettings;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** WebSocket sessions through the edge: the upstream's answer decides the switch, one event per session, the message limit, the key kept back. */
@ExtendWith(KafkaExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebSocketSessionTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final HttpClient http = HttpClient.newHttpClient();
    TestKafka kafka;
    RecordingUpstream upstream;
    EdgeServer edge;

    @BeforeAll
    void start(TestKafka kafka, @TempDir Path dir) {
        this.kafka = kafka;
        upstream = RecordingUpstream.start();
        RouteSettings chat = new RouteSettings("chat", new RouteSettings.Match(null, List.of("/chat/**", "/nows/**"), null, null),
                List.of(new RouteSettings.Destination("recording", 100)), null, null, null, null, null, false, null,
                new RouteSettings.RateLimits(null, null, null, new RouteSettings.Rate(1, 3)));
        RouteSettings gone = new RouteSettings("gone", new RouteSettings.Match(null, List.of("/gone/**"), null, null),
                List.of(new RouteSettings.Destination("nowhere", 100)), null, null, null, null, null, true);
        EdgeSettings settings = EdgeFixture.settings(kafka, dir, Map.of("recording", EdgeFixture.pool(upstream.url()),
                        "nowhere", EdgeFixture.pool("http://127.0.0.1:1")), List.of(chat, gone))
                .withAuth(new AuthSettings("X-API-Key", "api_key", null, null))
                .withConsumers(Map.of("alice", new ConsumerSettings("chatty", List.of(ApiKeys.hash("alice-key")), null)),
                        Map.of("chatty", new PlanSettings(100, 100)));
        edge = EdgeServer.start(settings);
    }

    @AfterAll
    void stop() {
        edge.close();
        upstream.close();
    }

    @Test
    void aSessionYieldsOneRequestEventWhenItClosesWithItsConsumerAndBytes() throws Exception {
        String requestId = "ws-" + UUID.randomUUID();
        LinkedBlockingQueue<String> echoed = new LinkedBlockingQueue<>();
        WebSocket socket = http.newWebSocketBuilder().header("X-Request-Id", requestId)
                .buildAsync(URI.create("ws://127.0.0.1:" + edge.port() + "/chat/room?api_key=alice-key&room=7"), collect(echoed, null))
                .get(10, TimeUnit.SECONDS);
        socket.sendText("hello", true).get(5, TimeUnit.SECONDS);
        assertThat(echoed.poll(10, TimeUnit.SECONDS)).isEqualTo("hello");
        RecordingUpstream.Seen seen = upstream.seen("/chat/room").getFirst();
        assertThat(seen.query()).as("the key in the query stays at the gateway").isEqualTo("room=7");
        assertThat(seen.header("X-Consumer-Id")).isEqualTo("alice");
        assertThat(seen.header("X-Request-Id")).isEqualTo(requestId);
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);

        List<RequestEvent> events = RequestEventsOnTopic.read(kafka.bootstrapServers(), kafka.registryUrl(),
                new Topics(kafka.topicPrefix()).name(Topic.REQUESTS), all -> all.stream().anyMatch(e -> e.getRequestId().equals(requestId)),
                Duration.ofSeconds(30));
        List<RequestEvent> mine = events.stream().filter(e -> e.getRequestId().equals(requestId)).toList();
        assertThat(mine).as("one event per session").hasSize(1);
        RequestEvent event = mine.getFirst();
        assertThat(event.getStatus()).isEqualTo(101);
        assertThat(event.getConsumerId()).isEqualTo("alice");
        assertThat(event.getPlan()).isEqualTo("chatty");
        assertThat(event.getRouteId()).isEqualTo("chat");
        assertThat(event.getBytesIn()).as("the client's frames: 'hello' and the close, masked").isGreaterThanOrEqualTo(5 + 6 + 3 + 6);
        assertThat(event.getBytesOut()).as("the echo and the upstream's close").isGreaterThanOrEqualTo(5 + 2 + 2);
        assertThat(event.getUpstreamInstance()).isNotNull();
    }

    @Test
    void anUpgradeTheUpstreamRefusesIsA502AndNothingIsSwitched() throws Exception {
        String answer = rawUpgrade("/nows/here", "X-API-Key: alice-key\r\n");
        assertThat(answer).startsWith("HTTP/1.1 502 ");
        assertThat(answer).contains("\"type\":\"urn:eventgate:problem:upgrade_refused\"").doesNotContain("HTTP/1.1 101").doesNotContain("Sec-WebSocket-Accept");
        assertThat(upstream.seen("/nows/here")).as("the upstream was asked first").isNotEmpty();

        String unreachable = rawUpgrade("/gone/away", "");
        assertThat(unreachable).startsWith("HTTP/1.1 502 ").contains("connect_failed");
    }

    @Test
    void aRefusedUpgradeIsAPlainHttpAnswerWithAChallenge() throws Exception {
        String answer = rawUpgrade("/chat/nokey", "");
        assertThat(answer).startsWith("HTTP/1.1 401 ").contains("WWW-Authenticate: ApiKey").contains("Connection: close");
        int bodyStart = answer.indexOf("\r\n\r\n") + 4;
        assertThat(JSON.readTree(answer.substring(bodyStart)).path("type").asText()).isEqualTo("urn:eventgate:problem:unauthenticated");
        assertThat(upstream.seen("/chat/nokey")).isEmpty();
    }

    @Test
    void aClientSendingFasterThanTheRouteAllowsIsClosedWith1008() throws Exception {
        String requestId = "ws-flood-" + UUID.randomUUID();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        LinkedBlockingQueue<String> echoed = new LinkedBlockingQueue<>();
        WebSocket socket = http.newWebSocketBuilder().header("X-API-Key", "alice-key").header("X-Request-Id", requestId)
                .buildAsync(URI.create("ws://127.0.0.1:" + edge.port() + "/chat/flood"), collect(echoed, closed))
                .get(10, TimeUnit.SECONDS);
        // a burst of 3 at 1 message/s: however slow this machine, 20 messages sent at once cannot all pass
        for (int i = 0; i < 20 && !closed.isDone(); i++) {
            try {
                socket.sendText("m" + i, true).get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                break; // the edge closed the session under us
            }
        }
        assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo(1008);
        List<String> got = new ArrayList<>();
        echoed.drainTo(got);
        // the echo of an admitted message may still be on its way back when the edge closes the session: only what came
        // back is known, and it must all be from within the burst
        assertThat(got).as("nothing after the burst came back").hasSizeLessThanOrEqualTo(5).isSubsetOf(List.of("m0", "m1", "m2", "m3", "m4"));

        List<DecisionEvent> throttles = RequestEventsOnTopic.decisions(kafka.bootstrapServers(), kafka.registryUrl(),
                        new Topics(kafka.topicPrefix()).name(Topic.DECISIONS), all -> all.stream().anyMatch(d -> d.getRequestId().equals(requestId)),
                        Duration.ofSeconds(30)).stream().filter(d -> d.getRequestId().equals(requestId)).toList();
        assertThat(throttles).singleElement().satisfies(d -> {
            assertThat(d.getKind()).isEqualTo(DecisionKind.THROTTLE);
            assertThat(d.getPolicy()).isEqualTo("route:chat/rate/messages");
        });
    }

    static WebSocket.Listener collect(LinkedBlockingQueue<String> texts, CompletableFuture<Integer> closed) {
        return new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                texts.add(data.toString());
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                if (closed != null) {
                    closed.complete(statusCode);
                }
                return null;
            }

            @Override
            public void onError(WebSocket webSocket, Throwable error) {
                if (closed != null) {
                    closed.completeExceptionally(error);
                }
            }
        };
    }

    /** Sends a WebSocket handshake by hand and returns everything the edge answered before closing. */
    String rawUpgrade(String path, String extraHeaders) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", edge.port())) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
