package io.eventgate.edge.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.avro.CapturedHeader;
import io.eventgate.avro.RequestCapture;
import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.RecordingUpstream;
import io.eventgate.edge.auth.ApiKeys;
import io.eventgate.edge.config.AuthSettings;
import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.policy.model.ConsumerSettings;
import io.eventgate.policy.model.PlanSettings;
import io.eventgate.policy.model.RoutePolicies;
import io.eventgate.policy.model.RouteSettings;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Captures through a real edge onto a real broker: the sampled requests arrive whole with their answer, and no
 * credential, cookie, configured header, query parameter or JSON field reaches Kafka, not even in a record's bytes.
 */
@ExtendWith(KafkaExtension.class)
class CaptureTest {
    /** Every secret below contains this: none of them may appear anywhere in what the edge published. */
    static final String SECRET = "s3cret";
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void sampledRequestsReachTheTopicWholeAndRedacted(TestKafka kafka, @TempDir Path dir) throws Exception {
        RoutePolicies.Capture everything = new RoutePolicies.Capture(100, 4096, List.of("X-Secret"), List.of("token"),
                List.of("password", "/card/number"));
        try (RecordingUpstream upstream = RecordingUpstream.start()) {
            RouteSettings orders = EdgeFixture.route("orders", "/orders/**", "up").withCapture(everything);
            RouteSettings half = EdgeFixture.route("half", "/half/**", "up").withCapture(new RoutePolicies.Capture(50, null, null, null, null));
            EdgeSettings settings = EdgeFixture.settings(kafka, dir.resolve("journal"), Map.of("up", EdgeFixture.pool(upstream.url())),
                            List.of(orders, half, EdgeFixture.route("plain", "/plain/**", "up")))
                    .withAuth(new AuthSettings("X-Key", "api_key", null, null))
                    .withConsumers(Map.of("acme", new ConsumerSettings("acme", List.of(ApiKeys.hash("key-" + SECRET)), null)),
                            Map.of("acme", new PlanSettings(1000, 1000)));
            try (EdgeServer edge = EdgeServer.start(settings)) {
                String base = "http://127.0.0.1:" + edge.port();
                String json = "{\"item\":\"book\",\"password\":\"pw-" + SECRET + "\",\"card\":{\"number\":\"4111-" + SECRET
                        + "\",\"exp\":\"12/30\"},\"lines\":[{\"password\":\"pw2-" + SECRET + "\"}]}";
                HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create(base + "/orders/1?token=t-" + SECRET + "&api_key=key-" + SECRET + "&keep=1"))
                        .header("Authorization", "Bearer b-" + SECRET).header("Cookie", "session=c-" + SECRET).header("X-Key", "key-" + SECRET)
                        .header("X-Secret", "h-" + SECRET).header("X-Visible", "shown").header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(posted.statusCode()).isEqualTo(200);
                assertThat(upstream.seen("/orders/1").getFirst().header("x-secret")).as("redaction is for the capture only").isEqualTo("h-" + SECRET);
                http.send(HttpRequest.newBuilder(URI.create(base + "/orders/form")).header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("password=f-" + SECRET)).build(), HttpResponse.BodyHandlers.ofString());
                http.send(HttpRequest.newBuilder(URI.create(base + "/orders/big")).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"password\":\"p-" + SECRET + "\",\"pad\":\"" + "x".repeat(8000) + "\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                http.send(HttpRequest.newBuilder(URI.create(base + "/plain/1")).build(), HttpResponse.BodyHandlers.ofString());
                for (int i = 0; i < 200; i++) {
                    http.send(HttpRequest.newBuilder(URI.create(base + "/half/" + i)).build(), HttpResponse.BodyHandlers.discarding());
                }

                awaitAllPublished("http://127.0.0.1:" + edge.adminPort() + "/observe/metrics");
                List<ConsumerRecord<byte[], byte[]>> records = readToEnd(kafka, new Topics(kafka.topicPrefix()).captures());
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    assertThat(new String(record.value(), StandardCharsets.ISO_8859_1)).as("a record's bytes").doesNotContain(SECRET);
                    assertThat(new String(record.key(), StandardCharsets.ISO_8859_1)).doesNotContain(SECRET);
                    for (Header header : record.headers()) {
                        assertThat(new String(header.value(), StandardCharsets.ISO_8859_1)).doesNotContain(SECRET);
                    }
                }
                var values = ContractSerdes.of(kafka.registryUrl()).<RequestCapture>serde(Topic.CAPTURES).deserializer();
                List<RequestCapture> captures = records.stream().map(r -> values.deserialize(r.topic(), r.value())).toList();
                assertThat(captures).noneMatch(c -> c.getRouteId().equals("plain"));
                long halfCaptured = captures.stream().filter(c -> c.getRouteId().equals("half")).count();
                assertThat(halfCaptured).as("half of 200 requests, sampled at random").isBetween(60L, 140L);

                RequestCapture order = byPath(captures, "/orders/1");
                assertThat(order.getMethod()).isEqualTo("POST");
                assertThat(order.getConsumerId()).isEqualTo("acme");
                assertThat(order.getStatus()).isEqualTo(200);
                assertThat(order.getRequestId()).isEqualTo(posted.headers().firstValue("X-Request-Id").orElseThrow());
                assertThat(order.getQuery()).isEqualTo("keep=1");
                assertThat(order.getHeaders()).extracting(CapturedHeader::getName).contains("x-visible", "content-type")
                        .doesNotContain("authorization", "cookie", "x-key", "x-secret");
                assertThat(order.getRedacted()).contains("header:authorization", "header:cookie", "header:x-key", "header:x-secret", "query:token",
                        "query:api_key", "json:/password", "json:/card/number", "json:/lines/0/password");
                assertThat(new String(order.getBody().array(), StandardCharsets.UTF_8))
                        .isEqualTo("{\"item\":\"book\",\"password\":\"REDACTED\",\"card\":{\"number\":\"REDACTED\",\"exp\":\"12/30\"},"
                                + "\"lines\":[{\"password\":\"REDACTED\"}]}");
                assertThat(order.getBodyComplete()).isTrue();
                assertThat(order.getBodyBytes()).isEqualTo(json.length());
                assertThat(order.getGatewayLatencyMicros()).isPositive();
                assertThat(order.getUpstreamLatencyMicros()).isNotNull();

                RequestCapture form = byPath(captures, "/orders/form");
                assertThat(form.getBody()).as("a body that is not JSON cannot be checked for the fields, so it stays on the edge").isNull();
                assertThat(form.getRedacted()).contains("body");
                RequestCapture big = byPath(captures, "/orders/big");
                assertThat(big.getBody()).as("cut at 4 kB, it is no longer readable JSON").isNull();
                assertThat(big.getBodyComplete()).isFalse();
                assertThat(big.getBodyBytes()).isGreaterThan(8000);
            }
        }
    }

    static RequestCapture byPath(List<RequestCapture> captures, String path) {
        return captures.stream().filter(c -> c.getPath().equals(path)).findFirst().orElseThrow(() -> new AssertionError("no capture of " + path));
    }

    /** Waits until Kafka acknowledged every event the edge journaled, captures included. */
    void awaitAllPublished(String metricsUrl) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            String metrics = http.send(HttpRequest.newBuilder(URI.create(metricsUrl)).build(), HttpResponse.BodyHandlers.ofString()).body();
            double journaled = metric(metrics, "edge_events_journaled_total");
            if (journaled > 0 && journaled == metric(metrics, "edge_events_published_total")) {
                return;
            }
            assertThat(System.nanoTime()).as("every journaled event published within 30 s").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    static double metric(String metrics, String name) {
        return metrics.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{")).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    /** Every record of {@code topic}, read to its current end. */
    static List<ConsumerRecord<byte[], byte[]>> readToEnd(TestKafka kafka, String topic) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue()) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
