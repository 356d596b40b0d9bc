package io.eventgate.edge.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.policy.model.KafkaTarget;
import io.eventgate.schemas.registry.RegisteredSchema;
import io.eventgate.schemas.registry.SchemaRegistryClient;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
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

/** Request-reply routes against a responder that reads the requests topic and answers on the reply topic. */
@ExtendWith(KafkaExtension.class)
class RequestReplyTest {
    static final Schema QUOTE = new Schema.Parser().parse("""
            {"type": "record", "name": "Quote", "namespace": "demo", "fields": [
              {"name": "orderId", "type": "string"}, {"name": "price", "type": "double"}]}""");
    static final ObjectMapper JSON = new ObjectMapper();

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    EdgeServer edge;
    Thread responder;
    volatile boolean running = true;

    @BeforeEach
    void start(TestKafka kafka, @TempDir Path dir) {
        String requests = kafka.createTopic("quote-requests", 2, Map.of());
        String replies = kafka.createTopic("quote-replies", 2, Map.of());
        SchemaRegistryClient registry = SchemaRegistryClient.of(kafka.registryUrl());
        registry.register(requests + "-value", KafkaTargetTest.ORDER);
        registry.register(replies + "-value", QUOTE);
        RegisteredSchema quote = registry.latest(replies + "-value");
        responder = Thread.ofPlatform().start(() -> respond(kafka, requests, quote));
        edge = EdgeServer.start(EdgeFixture.settings(kafka, dir.resolve("journal"), Map.of(), List.of(
                EdgeFixture.kafkaRoute("quote", "/quote", new KafkaTarget(requests, "request-reply", "json:/orderId", null, Duration.ofSeconds(2),
                        null, null, null, replies)))));
    }

    /** Answers each order with a quote of twice its amount, on the topic and with the correlation id the request names; "silent" gets none. */
    void respond(TestKafka kafka, String requests, RegisteredSchema quote) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new StringDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                     new StringSerializer(), new ByteArraySerializer())) {
            consumer.assign(List.of(new TopicPartition(requests, 0), new TopicPartition(requests, 1)));
            while (running) {
                for (ConsumerRecord<String, byte[]> request : consumer.poll(Duration.ofMillis(50))) {
                    GenericRecord order = new GenericDatumReader<GenericRecord>(KafkaTargetTest.ORDER).read(null,
                            DecoderFactory.get().binaryDecoder(request.value(), 5, request.value().length - 5, null));
                    if (order.get("orderId").toString().equals("silent")) {
                        continue;
                    }
                    GenericRecord answer = new GenericData.Record(QUOTE);
                    answer.put("orderId", order.get("orderId").toString());
                    answer.put("price", (double) order.get("amount") * 2);
                    ProducerRecord<String, byte[]> reply = new ProducerRecord<>(new String(request.headers().lastHeader("eventgate-reply-to").value()),
                            request.key(), io.eventgate.schemas.serde.WireRecords.encode(answer, quote.id()));
                    reply.headers().add(request.headers().lastHeader("eventgate-correlation-id"));
                    producer.send(reply);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void stop() throws InterruptedException {
        running = false;
        responder.join();
        edge.close();
    }

    HttpResponse<String> ask(String orderId, double amount) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + "/quote")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"orderId\":\"" + orderId + "\",\"amount\":" + amount + ",\"currency\":\"EUR\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void eachRequestGetsItsOwnReply() throws Exception {
        try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<HttpResponse<String>>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int n = i;
                answers.add(clients.submit(() -> ask("o-" + n, n)));
            }
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> answer = answers.get(i).get();
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                assertThat(JSON.readTree(answer.body()).path("orderId").asText()).isEqualTo("o-" + i);
                assertThat(JSON.readTree(answer.body()).path("price").asDouble()).isEqualTo(i * 2.0);
            }
        }
    }

    @Test
    void noReplyWithinTheRoutesTimeoutIs504AndABadRequestIsNeverSent() throws Exception {
        HttpResponse<String> unanswered = ask("silent", 1);
        assertThat(unanswered.statusCode()).isEqualTo(504);
        assertThat(unanswered.body()).contains("no_reply");
        HttpResponse<String> bad = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + "/quote"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"orderId\":\"o-1\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(ask("o-after", 3).statusCode()).as("the reply topic is still followed").isEqualTo(200);
    }
}
