package io.eventgate.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.eventgate.avro.PolicyEntity;
import io.eventgate.avro.PolicyEntityType;
import io.eventgate.policy.model.WebhookSettings;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Webhook delivery between a real broker and real HTTP receivers that check every signature themselves. */
@ExtendWith(KafkaExtension.class)
class WebhookDeliveryTest {
    static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString("a secret of thirty-two bytes ok!".getBytes(StandardCharsets.UTF_8));
    static final ObjectMapper JSON = new ObjectMapper();

    TestKafka kafka;
    String topic;
    Receiver healthy;
    Receiver failing;
    WebhookDeliveryApp app;
    KafkaProducer<String, String> producer;

    /** A webhook receiver: verifies each delivery's signature by the Standard Webhooks rules and keeps what it got. */
    static final class Receiver implements AutoCloseable {
        record Delivery(String id, JsonNode body, boolean signatureValid) {
        }

        final HttpServer server;
        final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
        final AtomicInteger failuresLeft = new AtomicInteger();
        /** When set, only records with this key fail: records of other partitions may still be in flight. */
        volatile String failOnly;

        Receiver() throws Exception {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                byte[] body = exchange.getRequestBody().readAllBytes();
                String id = exchange.getRequestHeaders().getFirst("webhook-id");
                String timestamp = exchange.getRequestHeaders().getFirst("webhook-timestamp");
                String signatures = exchange.getRequestHeaders().getFirst("webhook-signature");
                JsonNode delivered = JSON.readTree(body);
                deliveries.add(new Delivery(id, delivered, verify(id, timestamp, body, signatures)));
                String only = failOnly;
                boolean fails = (only == null || only.equals(delivered.path("key").asText())) && failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
                int status = fails ? 503 : 204;
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
            });
            server.start();
        }

        /** The convention: base64(HMAC-SHA256(secret, "id.timestamp.body")), sent as "v1,<sig>" among space-separated signatures. */
        static boolean verify(String id, String timestamp, byte[] body, String signatures) {
            try {
                if (Math.abs(Instant.now().getEpochSecond() - Long.parseLong(timestamp)) > 300) {
                    return false;
                }
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(Base64.getDecoder().decode(SECRET.substring("whsec_".length())), "HmacSHA256"));
                byte[] signed = (id + "." + timestamp + "." + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
                String expected = Base64.getEncoder().encodeToString(mac.doFinal(signed));
                for (String signature : signatures.split(" ")) {
                    if (signature.startsWith("v1,") && signature.substring(3).equals(expected)) {
                        return true;
                    }
                }
                return false;
            } catch (Exception e) {
                return false;
            }
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    @BeforeEach
    void start(TestKafka kafka) throws Exception {
        this.kafka = kafka;
        topic = kafka.createTopic("hooked", 2, Map.of());
        try (var admin = kafka.admin()) {
            var existing = admin.listTopics().names().get();
            kafka.createTopics(new Topics(kafka.topicPrefix()).newTopics(1, (short) 1).stream().filter(t -> !existing.contains(t.name())).toList());
        }
        healthy = new Receiver();
        failing = new Receiver();
        producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()), new StringSerializer(), new StringSerializer());
    }

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
        producer.close();
        healthy.close();
        failing.close();
    }

    WebhookSettings subscription(String url, int maxAttempts) {
        return new WebhookSettings(topic, null, null, url, "env:HOOK_SECRET", 1000.0, maxAttempts, Duration.ofMillis(20), Duration.ofMillis(100), null);
    }

    void startApp(Map<String, WebhookSettings> webhooks) {
        app = WebhookDeliveryApp.start(new WebhookDeliverySettings("webhooks-test", kafka.bootstrapServers(), kafka.registryUrl(), kafka.topicPrefix(),
                kafka.topicPrefix() + "dead-letter", true, webhooks), Map.of("HOOK_SECRET", SECRET));
    }

    /** Writes records until the subscription's consumer is in place (it starts at the topic's end), then the real ones. */
    void awaitReadyThenWrite(Receiver receiver, List<String> keys) throws Exception {
        await(() -> {
            send("warm-up");
            return !receiver.deliveries.isEmpty();
        });
        for (String key : keys) {
            send(key);
        }
    }

    void send(String key) {
        try {
            producer.send(new ProducerRecord<>(topic, key, "{\"not\":\"avro\"}")).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void await(BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(done.getAsBoolean()).as("within 30 s").isTrue();
    }

    @Test
    void recordsAreDeliveredSignedAndInOrderPerKey() throws Exception {
        startApp(Map.of("orders", subscription(healthy.url(), 3)));
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            keys.add("k-" + (i % 3));
        }
        awaitReadyThenWrite(healthy, keys);
        await(() -> healthy.deliveries.stream().filter(d -> !d.body().path("key").asText().equals("warm-up")).count() == 30);
        assertThat(healthy.deliveries).allMatch(Receiver.Delivery::signatureValid);
        for (String key : List.of("k-0", "k-1", "k-2")) {
            List<Long> offsets = healthy.deliveries.stream().filter(d -> d.body().path("key").asText().equals(key))
                    .map(d -> d.body().path("offset").asLong()).toList();
            assertThat(offsets).as("records of %s arrive in order", key).isSorted().hasSize(10);
        }
        JsonNode first = healthy.deliveries.get(0).body();
        assertThat(first.path("topic").asText()).isEqualTo(topic);
        assertThat(first.has("valueBase64")).as("a value that is not Avro in the wire format comes as base64").isTrue();
        assertThat(healthy.deliveries).extracting(Receiver.Delivery::id).doesNotHaveDuplicates();
    }

    @Test
    void aFailingTargetIsRetriedWithTheSameIdThenDeadLetteredWithoutHoldingUpOthers() throws Exception {
        startApp(Map.of("healthy", subscription(healthy.url(), 3), "failing", subscription(failing.url(), 3)));
        await(() -> {
            send("warm-up");
            return !healthy.deliveries.isEmpty() && !failing.deliveries.isEmpty();
        });
        failing.failOnly = "retried";
        failing.failuresLeft.set(2); // the record gets through on its third attempt
        send("retried");
        await(() -> failing.deliveries.stream().filter(d -> d.body().path("key").asText().equals("retried")).count() == 3);
        List<String> retriedIds = failing.deliveries.stream().filter(d -> d.body().path("key").asText().equals("retried")).map(Receiver.Delivery::id).toList();
        assertThat(retriedIds).hasSize(3).containsOnly(retriedIds.get(0));

        failing.failOnly = null;
        failing.failuresLeft.set(1_000_000); // down for good
        send("doomed");
        send("healthy-meanwhile");
        await(() -> healthy.deliveries.stream().anyMatch(d -> d.body().path("key").asText().equals("healthy-meanwhile")));
        // at least "doomed": on a busy machine a warm-up record can still be on its way when the target goes down for good
        await(() -> app.counts().counts("failing").deadLettered() >= 1);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition dlq = new TopicPartition(kafka.topicPrefix() + "dead-letter", 0);
            consumer.assign(List.of(dlq));
            consumer.seekToBeginning(List.of(dlq));
            List<ConsumerRecord<String, byte[]>> dead = new ArrayList<>();
            await(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(dead::add);
                return dead.stream().anyMatch(r -> "doomed".equals(r.key()));
            });
            ConsumerRecord<String, byte[]> record = dead.stream().filter(r -> "doomed".equals(r.key())).findFirst().orElseThrow();
            assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("{\"not\":\"avro\"}");
            assertThat(new String(record.headers().lastHeader("webhook-subscription").value(), StandardCharsets.UTF_8)).isEqualTo("failing");
            assertThat(new String(record.headers().lastHeader("webhook-error").value(), StandardCharsets.UTF_8)).contains("503");
        }
        List<io.eventgate.avro.WebhookDelivery> events = deliveryEvents("failing", 6);
        assertThat(events).filteredOn(e -> e.getMessageId().equals(retriedIds.get(0)))
                .extracting(e -> e.getAttempt() + ":" + e.getOutcome()).containsExactly("1:FAILED", "2:FAILED", "3:DELIVERED");
        assertThat(events).filteredOn(e -> e.getOutcome() == io.eventgate.avro.DeliveryOutcome.DEAD_LETTERED).isNotEmpty()
                .allSatisfy(e -> assertThat(e.getStatus() + " after " + e.getAttempt()).isEqualTo("503 after 3"));

        failing.failuresLeft.set(0);
        send("after");
        await(() -> failing.deliveries.stream().anyMatch(d -> d.body().path("key").asText().equals("after")
                && app.counts().counts("failing").delivered() >= 3));
    }

    /** The subscription's delivery events on gateway.webhook-deliveries, once at least {@code atLeast} have arrived. */
    List<io.eventgate.avro.WebhookDelivery> deliveryEvents(String subscription, int atLeast) throws Exception {
        List<io.eventgate.avro.WebhookDelivery> events = new ArrayList<>();
        try (KafkaConsumer<String, io.eventgate.avro.WebhookDelivery> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new StringDeserializer(), ContractSerdes.of(kafka.registryUrl()).<io.eventgate.avro.WebhookDelivery>serde(Topic.WEBHOOK_DELIVERIES).deserializer())) {
            TopicPartition partition = new TopicPartition(new Topics(kafka.topicPrefix()).name(Topic.WEBHOOK_DELIVERIES), 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            await(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(r -> {
                    if (r.key().equals(subscription)) {
                        events.add(r.value());
                    }
                });
                return events.size() >= atLeast;
            });
        }
        return events;
    }

    @Test
    void aSubscriptionSentThroughTheControlTopicStartsAndATombstoneStopsIt() throws Exception {
        startApp(Map.of());
        String policies = new Topics(kafka.topicPrefix()).policies();
        try (var admin = kafka.admin()) {
            if (!admin.listTopics().names().get().contains(policies)) {
                kafka.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(policies, 1, (short) 1)));
            }
        }
        String spec = JSON.writeValueAsString(Map.of("topic", topic, "url", healthy.url(), "secretRef", "env:HOOK_SECRET"));
        try (KafkaProducer<String, PolicyEntity> entities = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()), new StringSerializer(),
                ContractSerdes.of(kafka.registryUrl()).<PolicyEntity>serde(Topic.POLICIES).serializer())) {
            entities.send(new ProducerRecord<>(policies, "webhook:from-kafka", PolicyEntity.newBuilder().setEntityKey("webhook:from-kafka")
                    .setEntityType(PolicyEntityType.WEBHOOK).setEntityId("from-kafka").setVersion(1).setSpec(spec).setChecksum("-")
                    .setSourceCommandId("c1").setValidatedAt(Instant.now()).build())).get();
            await(() -> app.subscriptions().contains("from-kafka"));
            awaitReadyThenWrite(healthy, List.of("through-kafka"));
            await(() -> healthy.deliveries.stream().anyMatch(d -> d.body().path("key").asText().equals("through-kafka") && d.signatureValid()));
            entities.send(new ProducerRecord<>(policies, "webhook:from-kafka", null)).get();
            await(() -> !app.subscriptions().contains("from-kafka"));
        }
    }
}
