package io.eventgate.edge.kafka;


import io.eventgate.schemas.follow.TopicFollower;
import io.eventgate.schemas.registry.SchemaRegistryClient;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The latest value of every key of the topics that {@code latest} routes read, kept by following each topic from its
 * beginning (as a compacted topic is meant to be read); a tombstone forgets the key. A topic is followed from the first
 * request for it on. Values stay as their wire-format bytes; each is decoded to JSON once, when first asked for.
 */
public final class TopicViews implements AutoCloseable {
    private final String bootstrapServers;
    private final String nodeId;
    private final SchemaRegistryClient registry;
    private final Map<String, View> views = new ConcurrentHashMap<>();

    public TopicViews(String bootstrapServers, String nodeId, SchemaRegistryClient registry) {
        this.bootstrapServers = bootstrapServers;
        this.nodeId = nodeId;
        this.registry = registry;
    }

    /** One key's latest value. */
    static final class Entry {
        private final byte[] value;
        private final StreamRecord.JsonValue json = new StreamRecord.JsonValue();
        private volatile String etag;

        Entry(byte[] value) {
            this.value = value;
        }

        /** A strong validator: a digest of the record's bytes. */
        String etag() {
            if (etag == null) {
                try {
                    etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value), 0, 12) + "\"";
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            }
            return etag;
        }

        /** The value as JSON, decoded with the schema its wire-format header names. */
        String json(String topic, SchemaRegistryClient registry) {
            return json.of(value, topic, registry);
        }
    }

    /** One followed topic. */
    final class View implements AutoCloseable {
        private final String topic;
        private final Map<String, Entry> entries = new ConcurrentHashMap<>();
        private final TopicFollower<byte[]> follower;

        View(String topic) {
            this.topic = topic;
            this.follower = new TopicFollower<>(topic, bootstrapServers, "edge " + nodeId, new ByteArrayDeserializer(),
                    this::record, () -> { }, () -> { });
        }

        private void record(String key, byte[] value) {
            if (key == null) {
                return; // a record without a key has no place in a view by key
            }
            if (value == null) {
                entries.remove(key);
            } else {
                entries.put(key, new Entry(value));
            }
        }

        /** Whether the view holds at least what the topic held when following began, waiting up to {@code wait}. */
        boolean awaitCaughtUp(Duration wait) throws InterruptedException {
            long deadline = System.nanoTime() + wait.toNanos();
            while (!follower.caughtUp() && System.nanoTime() < deadline) {
                Thread.sleep(10); // only the first requests after a node starts following the topic wait here
            }
            return follower.caughtUp();
        }

        Entry get(String key) {
            return entries.get(key);
        }

        String topic() {
            return topic;
        }

        @Override
        public void close() {
            follower.close();
        }
    }

    View view(String topic) {
        return views.computeIfAbsent(topic, View::new);
    }

    SchemaRegistryClient registry() {
        return registry;
    }

    @Override
    public void close() {
        views.values().forEach(View::close);
        views.clear();
    }
}
