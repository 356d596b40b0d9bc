package io.eventgate.edge.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.edge.config.KafkaSettings;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.policy.model.KafkaTarget;
import io.eventgate.policy.model.RouteSettings;
import io.eventgate.schemas.registry.SchemaRegistryClient;
import io.eventgate.schemas.serde.WireFormat;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Routes whose target is a topic, between a real client, a real edge, a real broker and a real schema registry. */
@ExtendWith(KafkaExtension.class)
class KafkaTargetTest {
    static final Schema ORDER = new Schema.Parser().parse("""
            {"type": "record", "name": "Order", "namespace": "demo", "fields": [
              {"name": "orderId", "type": "string"},
              {"name": "amount", "type": "double"},
              {"name": "currency", "type": "string"},
              {"name": "note", "type": ["null", "string"], "default": null}]}""");
    static final ObjectMapper JSON = new ObjectMapper();

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    TestKafka kafka;
    String topic;
    EdgeServer edge;

    static List<RouteSettings> routes(String topic) {
        return List.of(
                EdgeFixture.kafkaRoute("orders-in", "/orders",
                        new KafkaTarget(topic, "produce", "json:/orderId", "/orders/{key}", Duration.ofSeconds(5), null, 4096)),
                EdgeFixture.kafkaRoute("orders-out", "/orders/{orderId}", new KafkaTarget(topic, "latest", "path:orderId", null, null, null, null)),
                EdgeFixture.kafkaRoute("unschema", "/unschema", new KafkaTarget(topic + ".none", "produce", null, null, null, null, null)));
    }

    @BeforeEach
    void start(TestKafka kafka, @TempDir Path dir) {
        this.kafka = kafka;
        topic = kafka.createTopic("orders", 2, Map.of("cleanup.policy", "compact"));
        SchemaRegistryClient.of(kafka.registryUrl()).register(topic + "-value", ORDER);
        edge = EdgeServer.start(EdgeFixture.settings(kafka, dir.resolve("journal"), Map.of(), routes(topic)));
    }

    @AfterEach
    void stop() {
        if (edge != null) {
            edge.close();
        }
    }

    HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Every record on the topic, read as any Confluent-compatible consumer reads it: string key, wire-format Avro value. */
    List<ConsumerRecord<String, byte[]>> records() {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
            return records;
        }
    }

    static GenericRecord decode(byte[] value) throws Exception {
        assertThat(value[0]).as("the wire format's magic byte").isEqualTo(WireFormat.MAGIC_BYTE);
        return new GenericDatumReader<GenericRecord>(ORDER).read(null,
                DecoderFactory.get().binaryDecoder(value, WireFormat.HEADER_LENGTH, value.length - WireFormat.HEADER_LENGTH, null));
    }

    @Test
    void aProducedRecordIsAcknowledgedWithWhereItWentAndReadBackByKey() throws Exception {
        HttpResponse<String> accepted = post("/orders", "{\"orderId\":\"o-1\",\"amount\":12.5,\"currency\":\"EUR\"}");
        assertThat(accepted.statusCode()).isEqualTo(202);
        JsonNode where = JSON.readTree(accepted.body());
        assertThat(where.path("topic").asText()).isEqualTo(topic);
        assertThat(accepted.headers().firstValue("Location")).hasValue("/orders/o-1");

        List<ConsumerRecord<String, byte[]>> records = records();
        assertThat(records).hasSize(1);
        ConsumerRecord<String, byte[]> record = records.get(0);
        assertThat(record.key()).isEqualTo("o-1");
        assertThat(record.partition()).isEqualTo(where.path("partition").asInt());
        assertThat(record.offset()).isEqualTo(where.path("offset").asLong());
        GenericRecord order = decode(record.value());
        assertThat(order.get("amount")).isEqualTo(12.5);
        assertThat(order.get("currency").toString()).isEqualTo("EUR");
        assertThat(order.get("note")).as("a missing field with a default takes it").isNull();
        assertThat(new String(record.headers().lastHeader("eventgate-request-id").value()))
                .isEqualTo(accepted.headers().firstValue("X-Request-Id").orElseThrow());

        HttpResponse<String> latest = get("/orders/o-1");
        assertThat(latest.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(latest.body())).isEqualTo(JSON.readTree("{\"orderId\":\"o-1\",\"amount\":12.5,\"currency\":\"EUR\",\"note\":null}"));
        String etag = latest.headers().firstValue("ETag").orElseThrow();
        assertThat(get("/orders/o-1", "If-None-Match", etag).statusCode()).isEqualTo(304);
        assertThat(get("/orders/o-2").statusCode()).isEqualTo(404);

        post("/orders", "{\"orderId\":\"o-1\",\"amount\":20,\"currency\":\"EUR\",\"note\":\"changed\"}");
        HttpResponse<String> changed = awaitBody("/orders/o-1", body -> body.contains("changed"));
        assertThat(changed.headers().firstValue("ETag")).isNotEqualTo(java.util.Optional.of(etag));
        assertThat(get("/orders/o-1", "If-None-Match", etag).statusCode()).as("the old ETag no longer matches").isEqualTo(200);

        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, "o-1", null)).get(); // a tombstone
        }
        assertThat(awaitStatus("/orders/o-1", 404).body()).contains("no_such_key");

        // each of these requests is a RequestEvent like any other, with Kafka as its upstream
        String requestId = accepted.headers().firstValue("X-Request-Id").orElseThrow();
        io.eventgate.avro.RequestEvent event = requestEvent(requestId);
        assertThat(event.getRouteId()).isEqualTo("orders-in");
        assertThat(event.getStatus()).isEqualTo(202);
        assertThat(event.getOutcome()).isEqualTo(io.eventgate.avro.RequestOutcome.PROXIED);
        assertThat(event.getUpstreamInstance()).isEqualTo("kafka:" + topic);
    }

    io.eventgate.avro.RequestEvent requestEvent(String requestId) {
        String requests = new io.eventgate.schemas.Topics(kafka.topicPrefix()).requests();
        try (KafkaConsumer<String, io.eventgate.avro.RequestEvent> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()), new StringDeserializer(), io.eventgate.schemas.serde.ContractSerdes.of(kafka.registryUrl())
                .<io.eventgate.avro.RequestEvent>serde(io.eventgate.schemas.Topic.REQUESTS).deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(requests).stream().map(p -> new TopicPartition(requests, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.value().getRequestId().equals(requestId)) {
                        return record.value();
                    }
                }
            }
            throw new AssertionError("no RequestEvent for " + requestId + " on " + requests);
        }
    }

    HttpResponse<String> awaitBody(String path, java.util.function.Predicate<String> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        HttpResponse<String> answer = get(path);
        while (!done.test(answer.body()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            answer = get(path);
        }
        assertThat(answer.body()).matches(done::test);
        return answer;
    }

    HttpResponse<String> awaitStatus(String path, int status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        HttpResponse<String> answer = get(path);
        while (answer.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(20);
            answer = get(path);
        }
        assertThat(answer.statusCode()).isEqualTo(status);
        return answer;
    }

    @Test
    void bodiesThatDoNotMatchTheSchemaAreRefusedNamingTheFieldAndNothingIsWritten() throws Exception {
        HttpResponse<String> wrongType = post("/orders", "{\"orderId\":\"o-1\",\"amount\":\"twelve\",\"currency\":\"EUR\"}");
        assertThat(wrongType.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(wrongType.body());
        assertThat(error.path("type").asText()).isEqualTo("urn:eventgate:problem:schema_mismatch");
        assertThat(error.path("field").asText()).isEqualTo("/amount");
        assertThat(error.path("expected").asText()).isEqualTo("double");
        assertThat(error.path("detail").asText()).isEqualTo("field /amount is a string; the schema expects double");

        assertThat(JSON.readTree(post("/orders", "{\"orderId\":\"o-1\",\"amount\":1}").body()).path("field").asText()).isEqualTo("/currency");
        assertThat(JSON.readTree(post("/orders", "{\"orderId\":\"o-1\",\"amount\":1,\"currency\":\"EUR\",\"extra\":true}").body())
                .path("detail").asText()).contains("/extra is not in the schema");
        assertThat(JSON.readTree(post("/orders", "{\"orderId\":\"o-1\",\"amount\":1,\"currency\":\"EUR\",\"note\":5}").body())
                .path("expected").asText()).isEqualTo("null or string");
        assertThat(post("/orders", "{not json").statusCode()).isEqualTo(400);
        assertThat(post("/orders", "{\"amount\":1,\"currency\":\"EUR\",\"orderId\":null}").statusCode()).as("null for a string").isEqualTo(400);
        HttpResponse<String> noKey = post("/orders", "[]");
        assertThat(noKey.statusCode()).isEqualTo(400);
        assertThat(post("/orders", "{\"orderId\":\"" + "x".repeat(5000) + "\",\"amount\":1,\"currency\":\"EUR\"}").statusCode())
                .as("past the route's maxBodyBytes").isEqualTo(413);
        HttpResponse<String> text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + "/orders"))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("hi")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(text.statusCode()).isEqualTo(415);
        HttpResponse<String> read = get("/orders");
        assertThat(read.statusCode()).isEqualTo(405);
        assertThat(read.headers().firstValue("Allow")).hasValue("DELETE, PATCH, POST, PUT");
        HttpResponse<String> noSchema = post("/unschema", "{}");
        assertThat(noSchema.statusCode()).isEqualTo(502);
        assertThat(noSchema.body()).contains("no_schema").contains(".none-value");

        assertThat(records()).as("nothing was written").isEmpty();
    }

    @Test
    void aRetryWithTheSameIdempotencyKeyGetsTheFirstAnswerAndWritesNothingNew() throws Exception {
        String order = "{\"orderId\":\"o-7\",\"amount\":3,\"currency\":\"USD\"}";
        HttpResponse<String> first = post("/orders", order, "Idempotency-Key", "k-1");
        HttpResponse<String> retry = post("/orders", order, "Idempotency-Key", "k-1");
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(retry.statusCode()).isEqualTo(202);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();

        HttpResponse<String> otherBody = post("/orders", order.replace("3", "4"), "Idempotency-Key", "k-1");
        assertThat(otherBody.statusCode()).isEqualTo(422);
        assertThat(otherBody.body()).contains("idempotency_key_reused");
        assertThat(post("/orders", order, "Idempotency-Key", "k-2").statusCode()).isEqualTo(202);

        List<ConsumerRecord<String, byte[]>> records = records();
        assertThat(records).as("k-1 once, k-2 once").hasSize(2);
        assertThat(new String(records.get(0).headers().lastHeader("idempotency-key").value())).isIn("k-1", "k-2");
    }

    @Test
    void withKafkaUnreachableAWriteIsRefusedWith503AndRetryAfterNeverAcknowledged(@TempDir Path dir) throws Exception {
        EdgeSettings reachable = EdgeFixture.settings(kafka, dir.resolve("journal"), Map.of(), routes(topic));
        EdgeSettings cutOff = new EdgeSettings("edge-cut-off", reachable.server(),
                new KafkaSettings("127.0.0.1:1", kafka.registryUrl(), kafka.topicPrefix()), reachable.events(), Map.of(), routes(topic));
        try (EdgeServer isolated = EdgeServer.start(cutOff)) {
            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + isolated.port() + "/orders"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"orderId\":\"o-9\",\"amount\":1,\"currency\":\"EUR\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("5");
            assertThat(refused.body()).contains("kafka_unavailable");
        }
        assertThat(records()).as("the cut-off node wrote nothing").isEmpty();
    }
}
