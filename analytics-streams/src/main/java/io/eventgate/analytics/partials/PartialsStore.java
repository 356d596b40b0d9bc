package io.eventgate.analytics.partials;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * The partial windows a {@link PartialsProcessor} combines between two forwards: live objects in memory, so a
 * request costs a map lookup and a few additions instead of decoding and encoding a window's state, and a
 * changelogged store under them that holds, at every commit, whatever was not forwarded yet. A crash therefore
 * loses nothing: the restored task forwards what its last commit kept.
 *
 * <p>The write at commit uses Kafka Streams' cache-flush hook ({@link CachedStateStore}, called on every
 * store before the commit's records are flushed and its transaction committed), the same hook Kafka Streams'
 * own record caches use. It is an internal interface because Kafka Streams offers no public pre-commit hook;
 * {@code PartialsStoreTest} and the kill-and-restart billing test fail if a Kafka upgrade stops calling it.
 */
public final class PartialsStore<V> implements StateStore, CachedStateStore<Object, Object> {

    /** One window's partial and the time of its latest request, which it is forwarded with. */
    public static final class Partial<V> {
        final PartialKey key;
        public final V value;
        long timestamp;

        Partial(PartialKey key, V value, long timestamp) {
            this.key = key;
            this.value = value;
            this.timestamp = timestamp;
        }

        public String key() {
            return key.key();
        }

        public long timestamp() {
            return timestamp;
        }
    }

    /** What a commit keeps of a partial: its value and its latest request's time. */
    private record Kept<V>(V value, long timestamp) {
        static <V> Serde<Kept<V>> serde(Serde<V> values) {
            return Serdes.serdeFrom((topic, kept) -> {
                byte[] value = values.serializer().serialize(topic, kept.value);
                return ByteBuffer.allocate(8 + value.length).putLong(kept.timestamp).put(value).array();
            }, (topic, bytes) -> new Kept<>(values.deserializer().deserialize(topic, Arrays.copyOfRange(bytes, 8, bytes.length)),
                    ByteBuffer.wrap(bytes).getLong()));
        }
    }

    // a plain key-value store: the restore of a timestamped one would convert its records for a root store
    // that is timestamped itself, which this layer is not
    private final KeyValueStore<PartialKey, Kept<V>> committed;
    private final Map<PartialKey, Partial<V>> live = new HashMap<>();
    private boolean anyCommitted;

    private PartialsStore(KeyValueStore<PartialKey, Kept<V>> committed) {
        this.committed = committed;
    }

    /** A builder for a store named {@code name} whose partials are written to its changelog with {@code serde}. */
    public static <V> StoreBuilder<PartialsStore<V>> builder(String name, Serde<V> serde) {
        return new Builder<>(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), PartialKey.serde(), Kept.serde(serde))
                .withCachingDisabled());
    }

    /** The live partial of {@code key}, created empty if needed; its timestamp moves to {@code timestamp} if later. */
    V partial(PartialKey key, long timestamp, Supplier<V> empty) {
        Partial<V> partial = live.get(key);
        if (partial == null) {
            partial = new Partial<>(key, empty.get(), timestamp);
            live.put(key, partial);
        } else if (timestamp > partial.timestamp) {
            partial.timestamp = timestamp;
        }
        return partial.value;
    }

    /** Takes back what the last commit before a restart kept, to be forwarded with the next drain. */
    void recover() {
        try (KeyValueIterator<PartialKey, Kept<V>> kept = committed.all()) {
            kept.forEachRemaining(entry -> {
                live.put(entry.key, new Partial<>(entry.key, entry.value.value(), entry.value.timestamp()));
                anyCommitted = true;
            });
        }
    }

    /** Every partial, oldest request first, leaving the store empty. */
    List<Partial<V>> drain() {
        List<Partial<V>> all = new ArrayList<>(live.values());
        all.sort(Comparator.comparingLong((Partial<V> p) -> p.timestamp).thenComparingLong(p -> p.key.windowStart()));
        if (anyCommitted) {
            all.forEach(partial -> committed.delete(partial.key));
            anyCommitted = false;
        }
        live.clear();
        return all;
    }

    /** Before each commit: keep the partials not forwarded yet in the changelog, inside the commit's transaction. */
    @Override
    public void flushCache() {
        live.values().forEach(partial -> committed.put(partial.key, new Kept<>(partial.value, partial.timestamp)));
        anyCommitted |= !live.isEmpty();
    }

    /** The task is closed without a commit: what is in memory was never committed and is replayed from the input. */
    @Override
    public void clearCache() {
        live.clear();
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<Object, Object> listener, boolean sendOldValues) {
        return false;
    }

    @Override
    public String name() {
        return committed.name();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        committed.init(context, root);
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        committed.commit(changelogOffsets);
    }

    @Override
    public void close() {
        committed.close();
    }

    @Override
    public boolean persistent() {
        return committed.persistent();
    }

    @Override
    public boolean isOpen() {
        return committed.isOpen();
    }

    @Override
    public Position getPosition() {
        return committed.getPosition();
    }

    private static final class Builder<V> implements StoreBuilder<PartialsStore<V>> {
        private StoreBuilder<KeyValueStore<PartialKey, Kept<V>>> committed;

        Builder(StoreBuilder<KeyValueStore<PartialKey, Kept<V>>> committed) {
            this.committed = committed;
        }

        @Override
        public StoreBuilder<PartialsStore<V>> withCachingEnabled() {
            return this; // the live partials are this store's cache
        }

        @Override
        public StoreBuilder<PartialsStore<V>> withCachingDisabled() {
            return this;
        }

        @Override
        public StoreBuilder<PartialsStore<V>> withLoggingEnabled(Map<String, String> config) {
            committed = committed.withLoggingEnabled(config);
            return this;
        }

        @Override
        public StoreBuilder<PartialsStore<V>> withLoggingDisabled() {
            throw new UnsupportedOperationException("partials need their changelog to survive a crash");
        }

        @Override
        public PartialsStore<V> build() {
            return new PartialsStore<>(committed.build());
        }

        @Override
        public Map<String, String> logConfig() {
            return committed.logConfig();
        }

        @Override
        public boolean loggingEnabled() {
            return committed.loggingEnabled();
        }

        @Override
        public String name() {
            return committed.name();
        }
    }
}
