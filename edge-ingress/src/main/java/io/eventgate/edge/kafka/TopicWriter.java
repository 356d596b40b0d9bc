package io.eventgate.edge.kafka;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.eventgate.schemas.registry.RegisteredSchema;
import io.eventgate.schemas.registry.SchemaRegistryClient;
import io.eventgate.schemas.registry.SchemaRegistryException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes API clients' records to their topics: one idempotent producer per node (acks=all, so a write is acknowledged
 * only once the in-sync replicas have it), values in the Confluent wire format under the latest schema registered for
 * {@code <topic>-value}. Schemas are looked up again every {@link #SCHEMA_REFRESH}; while the registry cannot be
 * reached, the last one known keeps serving. The producer is made on the first write, so a node without produce routes
 * holds no connection for it.
 */
public final class TopicWriter implements AutoCloseable {
    static final Duration SCHEMA_REFRESH = Duration.ofSeconds(30);
    /** How long a write may wait for the topic's metadata (Kafka unreachable): well under any route's timeout. */
    private static final Duration METADATA_WAIT = Duration.ofSeconds(2);

    /** Where a record went. */
    public record Written(String topic, int partition, long offset) {
    }

    private final String bootstrapServers;
    private final String nodeId;
    private final SchemaRegistryClient registry;
    private final Cache<String, RegisteredSchema> fresh = Caffeine.newBuilder().expireAfterWrite(SCHEMA_REFRESH).build();
    private final Map<String, RegisteredSchema> lastKnown = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicReference<KafkaProducer<byte[], byte[]>> producer = new AtomicReference<>();

    public TopicWriter(String bootstrapServers, String nodeId, SchemaRegistryClient registry) {
        this.bootstrapServers = bootstrapServers;
        this.nodeId = nodeId;
        this.registry = registry;
    }

    /**
     * The latest value schema of {@code topic}; the last one known when the registry cannot answer now.
     *
     * @throws SchemaRegistryException when the registry has none, or cannot be reached and none is known
     */
    public RegisteredSchema valueSchema(String topic) {
        String subject = topic + "-value";
        RegisteredSchema cached = fresh.getIfPresent(subject);
        if (cached != null) {
            return cached;
        }
        try {
            RegisteredSchema latest = registry.latest(subject);
            fresh.put(subject, latest);
            lastKnown.put(subject, latest);
            return latest;
        } catch (SchemaRegistryException e) {
            RegisteredSchema known = lastKnown.get(subject);
            if (e.transientFailure() && known != null) {
                return known;
            }
            throw e;
        }
    }

    /** Sends one record; the future completes when the broker has it, or fails with why it could not. */
    public CompletableFuture<Written> write(String topic, byte[] key, byte[] value, List<Header> headers) {
        CompletableFuture<Written> written = new CompletableFuture<>();
        try {
            producer().send(new ProducerRecord<>(topic, null, key, value, headers), (metadata, error) -> {
                if (error != null) {
                    written.completeExceptionally(error);
                } else {
                    written.complete(new Written(metadata.topic(), metadata.partition(), metadata.offset()));
                }
            });
        } catch (RuntimeException e) { // no metadata within METADATA_WAIT, a record too large, a closed producer
            written.completeExceptionally(e);
        }
        return written;
    }

    private KafkaProducer<byte[], byte[]> producer() {
        KafkaProducer<byte[], byte[]> current = producer.get();
        if (current != null) {
            return current;
        }
        synchronized (producer) {
            if (producer.get() == null) {
                producer.set(new KafkaProducer<>(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                        ProducerConfig.CLIENT_ID_CONFIG, "edge-" + nodeId + "-topics",
                        ProducerConfig.ACKS_CONFIG, "all",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                        ProducerConfig.LINGER_MS_CONFIG, 1,
                        ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) METADATA_WAIT.toMillis(),
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000),
                        new ByteArraySerializer(), new ByteArraySerializer()));
            }
            return producer.get();
        }
    }

    @Override
    public void close() {
        KafkaProducer<byte[], byte[]> current = producer.getAndSet(null);
        if (current != null) {
            current.close(Duration.ofSeconds(5));
        }
    }
}
