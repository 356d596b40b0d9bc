package io.eventgate.schemas.follow;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a topic and then follows it, on a thread of its own, without a consumer group: from its beginning
 * (a compacted topic's state) or from the last {@code tail} records of each partition. Every record goes to
 * {@code onRecord} (a null value is a tombstone), and {@code onBatch} runs after each poll that changed
 * something. Knows when it has caught up with the end the topic had when reading began; skips, and logs with
 * their position, records it cannot decode; when Kafka is unreachable it retries, reading again from the start
 * after {@code onRestart}, keeping what it has meanwhile, and says since when it has not heard from the broker.
 */
public final class TopicFollower<V> implements AutoCloseable {
    /** Read from the beginning of each partition. */
    public static final long FROM_BEGINNING = -1;

    private static final Logger LOG = Logger.getLogger(TopicFollower.class.getName());
    private static final Duration CONTACT_EVERY = Duration.ofSeconds(1);

    private final String topic;
    private final String owner;
    private final Map<String, Object> config;
    private final Deserializer<V> values;
    private final BiConsumer<String, V> onRecord;
    private final Runnable onRestart;
    private final Runnable onBatch;
    private final long tail;
    private final Thread thread;
    private volatile KafkaConsumer<String, V> active;
    private volatile boolean caughtUp;
    private volatile long lastContactNanos;
    private volatile boolean running = true;

    /**
     * @param tail      {@link #FROM_BEGINNING}, or how many of each partition's last records to start with
     * @param onRestart runs before the topic is read again from its start (after a failure), so the owner can forget what it read
     */
    public TopicFollower(String topic, String bootstrapServers, String owner, Deserializer<V> values, long tail,
                         BiConsumer<String, V> onRecord, Runnable onRestart, Runnable onBatch) {
        this.topic = topic;
        this.tail = tail;
        this.owner = owner;
        this.values = values;
        this.onRecord = onRecord;
        this.onRestart = onRestart;
        this.onBatch = onBatch;
        this.config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.CLIENT_ID_CONFIG, owner + "-" + topic);
        this.thread = Thread.ofPlatform().daemon().name("follow-" + topic).start(this::follow);
    }

    /** Follows a compacted topic from its beginning. */
    public TopicFollower(String topic, String bootstrapServers, String owner, Deserializer<V> values,
                         BiConsumer<String, V> onRecord, Runnable onRestart, Runnable onBatch) {
        this(topic, bootstrapServers, owner, values, FROM_BEGINNING, onRecord, onRestart, onBatch);
    }

    public boolean caughtUp() {
        return caughtUp;
    }

    /** Whether the broker answered this follower within {@code within}: a poll that returns nothing does not tell. */
    public boolean reachedWithin(Duration within) {
        long contact = lastContactNanos;
        return contact != 0 && System.nanoTime() - contact < within.toNanos();
    }

    private void follow() {
        while (running) {
            try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(config, new StringDeserializer(), values)) {
                active = consumer;
                if (!running) {
                    return;
                }
                List<TopicPartition> partitions = partitions(consumer);
                consumer.assign(partitions);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
                seekToStart(consumer, partitions, end, tail);
                lastContactNanos = System.nanoTime();
                onRestart.run();
                boolean first = true;
                while (running) {
                    if (poll(consumer) || first) {
                        onBatch.run();
                        first = false;
                    }
                    checkContact(consumer, partitions);
                    if (!caughtUp && end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                        caughtUp = true;
                        LOG.info(owner + " caught up with " + topic);
                    }
                }
            } catch (RuntimeException e) {
                if (running) {
                    LOG.log(Level.WARNING, owner + " cannot follow " + topic + "; keeping what it has and retrying", e);
                    sleep(1000);
                }
            }
        }
    }

    /**
     * Places {@code consumer} at the last {@code tail} records of each partition before {@code end}, or at the
     * beginning with {@link #FROM_BEGINNING}; for readers of their own that start as a follower does.
     */
    public static void seekToStart(KafkaConsumer<?, ?> consumer, List<TopicPartition> partitions, Map<TopicPartition, Long> end, long tail) {
        if (tail == FROM_BEGINNING) {
            consumer.seekToBeginning(partitions);
            return;
        }
        Map<TopicPartition, Long> beginning = consumer.beginningOffsets(partitions, Duration.ofSeconds(10));
        for (TopicPartition partition : partitions) {
            consumer.seek(partition, Math.max(beginning.get(partition), end.get(partition) - tail));
        }
    }

    /** About once a second, asks the broker for the topic's end offsets, only to learn whether it answers. */
    private void checkContact(KafkaConsumer<String, V> consumer, List<TopicPartition> partitions) {
        if (System.nanoTime() - lastContactNanos < CONTACT_EVERY.toNanos()) {
            return;
        }
        try {
            consumer.endOffsets(partitions, CONTACT_EVERY);
            lastContactNanos = System.nanoTime();
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            // unreachable for now: reachedWithin tells the owner; polling goes on
        }
    }

    private List<TopicPartition> partitions(KafkaConsumer<String, V> consumer) {
        while (running) {
            List<PartitionInfo> info = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            if (info != null && !info.isEmpty()) {
                return info.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            }
            sleep(500);
        }
        return List.of();
    }

    private boolean poll(KafkaConsumer<String, V> consumer) {
        try {
            boolean any = false;
            for (ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(200))) {
                onRecord.accept(record.key(), record.value());
                any = true;
            }
            return any;
        } catch (RecordDeserializationException e) {
            LOG.severe(owner + ": skipping undecodable record of " + e.topicPartition() + " at offset " + e.offset() + ": " + e.getCause());
            consumer.seek(e.topicPartition(), e.offset() + 1);
            return false;
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
        // wake the consumer rather than interrupt the thread: an interrupted consumer cannot close cleanly
        KafkaConsumer<String, V> consumer = active;
        if (consumer != null) {
            consumer.wakeup();
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
