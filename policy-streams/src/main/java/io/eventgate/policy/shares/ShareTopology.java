package io.eventgate.policy.shares;

import io.eventgate.avro.LimitDirective;
import io.eventgate.avro.NodeHeartbeat;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * Cluster-wide rate limits: from the edge nodes' heartbeats on {@code gateway.nodes} (their offered demand per
 * consumer on a global plan, and that plan's limit), each live node's share of each consumer's global limit,
 * published to {@code gateway.limits} as a RATE_SHARE directive on {@code consumer:ID@node:N}. Shares follow
 * every heartbeat, are divided anew when a node joins or misses three beats, and are lifted when no node
 * lists the consumer any more. All heartbeats meet in one task, since every share depends on every node.
 */
public final class ShareTopology {
    static final String NODES_STORE = "share-nodes";
    static final String SHARES_STORE = "shares";

    private ShareTopology() {
    }

    public static void addTo(StreamsBuilder builder, Topics topics, ContractSerdes serdes) {
        Serde<NodeHeartbeat> heartbeats = serdes.serde(Topic.NODES);
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(NODES_STORE), Serdes.String(), heartbeats));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(SHARES_STORE), Serdes.String(), Serdes.Double()));
        builder.stream(topics.nodes(), Consumed.with(Serdes.String(), heartbeats).withName("heartbeats"))
                .repartition(Repartitioned.<String, NodeHeartbeat>as("heartbeats-together").withNumberOfPartitions(1)
                        .withKeySerde(Serdes.String()).withValueSerde(heartbeats))
                .process(ShareProcessor::new, Named.as("divide-global-limits"), NODES_STORE, SHARES_STORE)
                .to(topics.limits(), Produced.with(Serdes.String(), serdes.<LimitDirective>serde(Topic.LIMITS)).withName("share-directives"));
    }
}
