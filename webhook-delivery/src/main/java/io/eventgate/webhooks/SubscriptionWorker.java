package io.eventgate.webhooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eventgate.avro.DeliveryOutcome;
import io.eventgate.policy.model.WebhookSettings;
import io.eventgate.schemas.registry.SchemaRegistryClient;
import io.eventgate.schemas.serde.WireRecords;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * One subscription's deliveries: a consumer in the subscription's own group reads its topic (from the moment the
 * subscription starts, then from the group's commits), and each matching record is POSTed, signed, in partition order
 * (the partitions side by side), so records of one key arrive in order. A failure is tried again after an exponential
 * backoff with jitter while the consumer is paused (it keeps polling, so the group keeps it); after the last attempt the record goes to the
 * dead-letter topic and delivery goes on. A failing target holds up only its own subscription. Offsets are committed
 * once records are delivered or dead-lettered: a record is delivered at least once.
 */
final class SubscriptionWorker implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SubscriptionWorker.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String id;
    private final WebhookSettings settings;
    private final byte[] secret;
    private final WebhookDeliverySettings app;
    private static final HeaderName WEBHOOK_ID = HeaderNames.create("webhook-id");
    private static final HeaderName WEBHOOK_TIMESTAMP = HeaderNames.create("webhook-timestamp");
    private static final HeaderName WEBHOOK_SIGNATURE = HeaderNames.create("webhook-signature");

    private final WebClient http;
    private final KafkaProducer<byte[], byte[]> deadLetters;
    private final SchemaRegistryClient registry;
    private final DeliveryEvents events;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private long nextSendNanos = System.nanoTime();
    /** One lane per partition of a poll: virtual threads, each delivering its partition's records in order. */
    private final java.util.concurrent.ExecutorService lanes = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

    SubscriptionWorker(String id, WebhookSettings settings, byte[] secret, WebhookDeliverySettings app, WebClient http,
                       KafkaProducer<byte[], byte[]> deadLetters, SchemaRegistryClient registry, DeliveryEvents events) {
        this.id = id;
        this.settings = settings;
        this.secret = secret;
        this.app = app;
        this.http = http;
        this.deadLetters = deadLetters;
        this.registry = registry;
        this.events = events;
        this.thread = Thread.ofPlatform().daemon().name("webhook-" + id).start(this::run);
    }

    WebhookSettings settings() {
        return settings;
    }

    private void run() {
        while (running) {
            try (KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, app.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, app.applicationId() + "-" + id,
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100,
                    ConsumerConfig.CLIENT_ID_CONFIG, app.applicationId() + "-" + id), new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer = reader;
                if (!running) {
                    return;
                }
                reader.subscribe(List.of(settings.topic()));
                while (running) {
                    ConsumerRecords<String, byte[]> records = reader.poll(Duration.ofMillis(200));
                    if (!records.isEmpty() && !deliverBatch(reader, records)) {
                        return; // stopping: what was not delivered is delivered again by whoever reads next
                    }
                }
            } catch (WakeupException stopping) {
                return;
            } catch (RuntimeException e) {
                if (running) {
                    LOG.log(Level.WARNING, "webhook " + id + " cannot read " + settings.topic() + "; retrying", e);
                    sleep(1000);
                }
            }
        }
    }

    /**
     * Delivers a poll's records: each partition's in order on a virtual thread of its own, the partitions side by side
     * (order only has to hold per key, and a key stays in its partition). Meanwhile the consumer is paused and keeps
     * polling, so that the group does not give its partitions away during long retries. Each partition whose records
     * were all delivered or dead-lettered is committed; false when the worker is stopping.
     */
    private boolean deliverBatch(KafkaConsumer<String, byte[]> reader, ConsumerRecords<String, byte[]> records) {
        Map<TopicPartition, java.util.concurrent.Future<Long>> partitions = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            partitions.put(partition, lanes.submit(() -> {
                long next = -1;
                for (ConsumerRecord<String, byte[]> record : records.records(partition)) {
                    if (!deliver(record)) {
                        return -1L;
                    }
                    next = record.offset() + 1;
                }
                return next;
            }));
        }
        Set<TopicPartition> paused = reader.assignment();
        reader.pause(paused);
        try {
            while (partitions.values().stream().anyMatch(f -> !f.isDone())) {
                reader.poll(Duration.ofMillis(50));
            }
        } finally {
            reader.resume(reader.assignment());
        }
        Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
        partitions.forEach((partition, next) -> {
            long offset = next.resultNow();
            if (offset >= 0) {
                done.put(partition, new OffsetAndMetadata(offset));
            }
        });
        if (!done.isEmpty()) {
            try {
                reader.commitSync(done);
            } catch (org.apache.kafka.clients.consumer.CommitFailedException | org.apache.kafka.common.errors.RebalanceInProgressException moved) {
                LOG.info("webhook " + id + ": partitions moved to another instance during delivery; their records are delivered again there");
            }
        }
        return running && done.size() == partitions.size();
    }

    /** Delivers one record (if the subscription wants it) with its retries; false when the worker is stopping. */
    private boolean deliver(ConsumerRecord<String, byte[]> record) {
        Map<String, String> headers = new HashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key().toLowerCase(java.util.Locale.ROOT), header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8));
        }
        if (!settings.wants(record.key(), headers)) {
            return true;
        }
        String messageId = "msg_" + record.topic() + "_" + record.partition() + "_" + record.offset(); // the same for every attempt
        byte[] body = envelope(record);
        for (int attempt = 1; ; attempt++) {
            pace();
            DeliveryEvents.Attempt result = post(messageId, body);
            if (result.delivered()) {
                events.attempted(id, messageId, record, attempt, result, DeliveryOutcome.DELIVERED);
                return true;
            }
            if (attempt == settings.maxAttempts()) {
                deadLetter(record, messageId, result.error());
                events.attempted(id, messageId, record, attempt, result, DeliveryOutcome.DEAD_LETTERED);
                return true;
            }
            events.attempted(id, messageId, record, attempt, result, DeliveryOutcome.FAILED);
            if (!waitWhileRunning(backoff(attempt))) {
                return false;
            }
        }
    }

    /** What the target answered: delivered on a 2xx, else what went wrong. */
    private DeliveryEvents.Attempt post(String messageId, byte[] body) {
        long started = System.nanoTime();
        long timestamp = Instant.now().getEpochSecond();
        int status = 0;
        String error;
        try (HttpClientResponse response = http.post(settings.url())
                .readTimeout(settings.timeout())
                .header(HeaderValues.CONTENT_TYPE_JSON)
                .header(WEBHOOK_ID, messageId)
                .header(WEBHOOK_TIMESTAMP, Long.toString(timestamp))
                .header(WEBHOOK_SIGNATURE, WebhookSignature.sign(secret, messageId, timestamp, body))
                .submit(body)) {
            status = response.status().code();
            response.entity().consume(); // read to its end, so that the connection is kept for the next delivery
            error = status / 100 == 2 ? null : "the target answered " + status;
        } catch (RuntimeException e) { // Helidon's client reports a refused connection, a timeout or a broken answer unchecked
            error = "the target could not be reached: " + (e.getCause() != null ? e.getCause() : e);
        }
        return new DeliveryEvents.Attempt(status, error, (System.nanoTime() - started) / 1000);
    }

    private byte[] envelope(ConsumerRecord<String, byte[]> record) {
        ObjectNode envelope = JSON.createObjectNode().put("type", "record").put("topic", record.topic()).put("partition", record.partition())
                .put("offset", record.offset()).put("timestamp", Instant.ofEpochMilli(record.timestamp()).toString()).put("key", record.key());
        if (record.value() == null) {
            envelope.putNull("value");
            envelope.put("type", "delete");
        } else {
            try {
                envelope.set("value", JSON.readTree(WireRecords.json(record.value(), record.topic(), registry)));
            } catch (IOException | RuntimeException undecodable) {
                envelope.put("valueBase64", java.util.Base64.getEncoder().encodeToString(record.value())); // not Avro in the wire format
            }
        }
        return envelope.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void deadLetter(ConsumerRecord<String, byte[]> record, String messageId, String error) {
        ProducerRecord<byte[], byte[]> dead = new ProducerRecord<>(app.deadLetterTopic(), null,
                record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8), record.value(), record.headers());
        dead.headers().add("webhook-subscription", id.getBytes(StandardCharsets.UTF_8));
        dead.headers().add("webhook-id", messageId.getBytes(StandardCharsets.UTF_8));
        dead.headers().add("webhook-attempts", Integer.toString(settings.maxAttempts()).getBytes(StandardCharsets.UTF_8));
        dead.headers().add("webhook-error", error.getBytes(StandardCharsets.UTF_8));
        try {
            deadLetters.send(dead).get();
            LOG.warning("webhook " + id + ": " + messageId + " moved to " + app.deadLetterTopic() + " after " + settings.maxAttempts() + " attempts: " + error);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write " + messageId + " to the dead-letter topic " + app.deadLetterTopic(), e);
        }
    }

    /** Exponential, capped, with full jitter over its upper half, so that many subscribers do not retry in step. */
    Duration backoff(int attempt) {
        long ceiling = Math.min(settings.maxBackoff().toMillis(), settings.backoff().toMillis() << Math.min(attempt - 1, 30));
        return Duration.ofMillis(ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1));
    }

    /** Waits {@code wait}, or less when the worker stops; whether it still runs. */
    private boolean waitWhileRunning(Duration wait) {
        long until = System.nanoTime() + wait.toNanos();
        while (running && System.nanoTime() < until) {
            sleep(Math.max(1, Math.min(100, (until - System.nanoTime()) / 1_000_000)));
        }
        return running;
    }

    /** At most maxPerSecond deliveries a second, across the partitions' lanes. */
    private void pace() {
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            long slot = Math.max(now, nextSendNanos);
            nextSendNanos = slot + (long) (1e9 / settings.maxPerSecond());
            wait = slot - now;
        }
        if (wait > 0) {
            sleep(wait / 1_000_000);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lanes.shutdownNow();
    }
}
