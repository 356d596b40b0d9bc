package io.eventgate.policy.nodes;

import io.eventgate.avro.NodeConfig;
import io.eventgate.avro.PolicyEntity;
import io.eventgate.schemas.DeclaredEntities;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * The entities the edge nodes declare in their own configuration files ({@code gateway.node-config}, one record per
 * node), kept in a global store that every task reads, so that commands and quotas see the static entities beside the
 * control topic's, each read as {@link DeclaredEntities} says.
 */
public final class NodeConfigs {
    public static final String STORE = "node-configs";

    /** Node configs change when a node restarts; reading the store once a second spares each request and command the scan. */
    private static final long REFRESH_NANOS = 1_000_000_000L;
    private static final long MISS_REFRESH_NANOS = 100_000_000L;

    private final KeyValueStore<String, ValueAndTimestamp<NodeConfig>> store;
    private Map<String, PolicyEntity> cached;
    private long cachedAt;

    public NodeConfigs(KeyValueStore<String, ValueAndTimestamp<NodeConfig>> store) {
        this.store = store;
    }

    /** Adds the global store; every topology that reads static entities needs it once in its application. */
    public static void addTo(StreamsBuilder builder, Topics topics, ContractSerdes serdes) {
        builder.globalTable(topics.nodeConfig(), Consumed.with(Serdes.String(), serdes.<NodeConfig>serde(Topic.NODE_CONFIG)).withName("node-config-source"),
                Materialized.as(STORE));
    }

    public Optional<PolicyEntity> get(String entityKey) {
        PolicyEntity entity = all().get(entityKey);
        if (entity == null && System.nanoTime() - cachedAt > MISS_REFRESH_NANOS) {
            cached = null; // a miss reads the store again, at most every 100 ms: a node that has just started may declare it
            entity = all().get(entityKey);
        }
        return Optional.ofNullable(entity);
    }

    public List<PolicyEntity> withPrefix(String prefix) {
        return all().entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).map(Map.Entry::getValue).collect(Collectors.toList());
    }

    private Map<String, PolicyEntity> all() {
        long now = System.nanoTime();
        if (cached == null || now - cachedAt > REFRESH_NANOS) {
            cached = read();
            cachedAt = now;
        }
        return cached;
    }

    /** Every static entity by key, as a PolicyEntity naming the nodes that declare it. */
    private Map<String, PolicyEntity> read() {
        Map<String, NodeConfig> byNode = new TreeMap<>();
        try (KeyValueIterator<String, ValueAndTimestamp<NodeConfig>> it = store.all()) {
            it.forEachRemaining(kv -> {
                if (kv.value != null && kv.value.value() != null) {
                    byNode.put(kv.key, kv.value.value());
                }
            });
        }
        return DeclaredEntities.of(byNode);
    }
}
