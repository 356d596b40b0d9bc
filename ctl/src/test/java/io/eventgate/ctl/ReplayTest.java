package io.eventgate.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.eventgate.avro.CapturedHeader;
import io.eventgate.avro.RequestCapture;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** ctl replay: captures on a real broker re-sent to a real HTTP server, and the answers compared with the originals. */
@ExtendWith(KafkaExtension.class)
class ReplayTest {
    record Received(String method, String path, Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(e -> e.getValue().getFirst()).findFirst().orElse(null);
        }
    }

    @Test
    void capturesAreReplayedAtTheTargetAndItsAnswersComparedWithTheOriginals(TestKafka kafka) throws Exception {
        Topics topics = new Topics(kafka.topicPrefix());
        kafka.createTopics(topics.newTopics(2, (short) 1));
        Instant now = Instant.now();
        try (var producer = new KafkaProducer<>(kafka.producerConfig(Map.of()), new StringSerializer(),
                ContractSerdes.of(kafka.registryUrl()).<RequestCapture>serde(Topic.CAPTURES).serializer())) {
            for (RequestCapture capture : List.of(
                    capture("r-ok", now.minusSeconds(60), "orders", "POST", "/orders/ok", "dry=1", "{\"a\":1}", true, 201),
                    capture("r-broken", now.minusSeconds(50), "orders", "GET", "/orders/broken", null, null, true, 200),
                    capture("r-cut", now.minusSeconds(40), "orders", "POST", "/orders/cut", null, "{\"a\":", false, 200),
                    capture("r-other", now.minusSeconds(30), "users", "GET", "/users/1", null, null, true, 200),
                    capture("r-old", now.minusSeconds(3600), "orders", "GET", "/orders/old", null, null, true, 200))) {
                producer.send(new ProducerRecord<>(topics.captures(), null, capture.getTimestamp().toEpochMilli(), capture.getRouteId(), capture));
            }
        }
        List<Received> received = new CopyOnWriteArrayList<>();
        HttpServer target = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        target.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().toString(), Map.copyOf(exchange.getRequestHeaders()), body));
            int status = exchange.getRequestURI().getPath().endsWith("/broken") ? 500 : exchange.getRequestMethod().equals("POST") ? 201 : 200;
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        target.start();
        try {
            String url = "http://127.0.0.1:" + target.getAddress().getPort();
            CtlTest.Result result = CtlTest.ctl(kafka, "replay", "--route", "orders", "--from", "10m", "--target", url, "--rate", "50",
                    "-H", "X-API-Key: stage-key", "-H", "X-Visible: replaced");
            assertThat(result.code()).as(result.out()).isEqualTo(0);
            assertThat(result.out()).contains("replaying 2 captures").contains("2/2 (100 %)")
                    .contains("sent 2, skipped 1 (body incomplete in the capture), failed 0")
                    .contains("status: 1 the same, 1 different").contains("200 -> 500: 1").contains("r-broken GET /orders/broken: 200 -> 500")
                    .contains("latency (ms)\toriginal\treplay");
            assertThat(received).extracting(Received::path).containsExactlyInAnyOrder("/orders/ok?dry=1", "/orders/broken");
            Received ok = received.stream().filter(r -> r.path().startsWith("/orders/ok")).findFirst().orElseThrow();
            assertThat(ok.method()).isEqualTo("POST");
            assertThat(ok.body()).isEqualTo("{\"a\":1}");
            assertThat(ok.header("X-API-Key")).as("the target's credential, given on the command line").isEqualTo("stage-key");
            assertThat(ok.header("X-Visible")).as("a header given on the command line replaces the captured one").isEqualTo("replaced");
            assertThat(ok.header("Content-Type")).isEqualTo("application/json");
            assertThat(ok.header("X-Replay-Of")).isEqualTo("r-ok");
            assertThat(ok.header("X-Request-Id")).as("the original's id is not reused").isNull();

            CtlTest.Result strict = CtlTest.ctl(kafka, "replay", "--route", "orders", "--from", "10m", "--target", url, "--rate", "50", "--fail-on-difference");
            assertThat(strict.code()).as(strict.out()).isEqualTo(1);
        } finally {
            target.stop(0);
        }
        int closedPort;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        CtlTest.Result unreachable = CtlTest.ctl(kafka, "replay", "--route", "orders", "--from", "10m", "--target", "http://127.0.0.1:" + closedPort, "--rate", "50");
        assertThat(unreachable.code()).isEqualTo(1);
        assertThat(unreachable.out()).contains("failed 2").contains("r-ok POST /orders/ok?dry=1: failed, ConnectException");

        assertThat(CtlTest.ctl(kafka, "replay", "--route", "nobody", "--target", "http://127.0.0.1:1").out()).contains("no captures of route nobody");
        CtlTest.Result badTime = CtlTest.ctl(kafka, "replay", "--route", "orders", "--from", "yesterday", "--target", "http://127.0.0.1:1");
        assertThat(badTime.code()).isEqualTo(2);
        assertThat(badTime.out()).contains("'yesterday' is neither an instant");
        CtlTest.Result badTarget = CtlTest.ctl(kafka, "replay", "--route", "orders", "--target", "ftp://x");
        assertThat(badTarget.out()).contains("--target must be an http:// or https:// URL");
    }

    static RequestCapture capture(String id, Instant at, String route, String method, String path, String query, String body, boolean complete, int status) {
        return RequestCapture.newBuilder().setRequestId(id).setTimestamp(at).setNode("edge-1").setRouteId(route).setConsumerId("acme")
                .setMethod(method).setScheme("http").setHost("api.example").setPath(path).setQuery(query)
                .setHeaders(List.of(new CapturedHeader("host", "api.example"), new CapturedHeader("connection", "keep-alive"),
                        new CapturedHeader("x-request-id", id), new CapturedHeader("x-visible", "original"),
                        new CapturedHeader("content-type", "application/json")))
                .setRedacted(List.of("header:authorization"))
                .setBody(body == null ? null : ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)))
                .setBodyBytes(body == null ? 0 : body.length() + (complete ? 0 : 100)).setBodyComplete(complete)
                .setStatus(status).setGatewayLatencyMicros(1500).setUpstreamLatencyMicros(1200L).setResponseBytes(10).build();
    }
}
