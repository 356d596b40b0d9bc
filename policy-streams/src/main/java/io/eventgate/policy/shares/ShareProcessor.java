package io.eventgate.policy.shares;

import io.eventgate.schemas.LimitKeys;
import io.eventgate.avro.DirectiveKind;
import io.eventgate.avro.GlobalLimit;
import io.eventgate.avro.LimitDirective;
import io.eventgate.avro.NodeHeartbeat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the latest heartbeat of every live node and the shares last published, and publishes a consumer's
 * shares again whenever its demand moves one by more than {@link #REPUBLISH_CHANGE} of the limit, or the nodes
 * change. Liveness is judged by when heartbeats arrive here, not by the nodes' clocks.
 */
final class ShareProcessor implements Processor<String, NodeHeartbeat, String, LimitDirective> {
    static final String SOURCE = LimitKeys.POLICY_STREAMS;
    /** Beats a node may miss before it is taken as gone. */
    static final int MISSED_BEATS = 3;
    /** A node's beat interval when its heartbeat does not say. */
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    /** How often node liveness is checked. */
    static final Duration CHECK_EVERY = Duration.ofMillis(250);
    /** The change of a share, as a fraction of the limit, that is worth a new directive. */
    static final double REPUBLISH_CHANGE = 0.01;
    private static final String NODE = "@node:";

    private ProcessorContext<String, LimitDirective> context;
    private KeyValueStore<String, NodeHeartbeat> nodes;
    private KeyValueStore<String, Double> shares;
    private final Map<String, Long> arrivals = new HashMap<>();
    private long lastVersion;

    @Override
    public void init(ProcessorContext<String, LimitDirective> context) {
        this.context = context;
        this.nodes = context.getStateStore(ShareTopology.NODES_STORE);
        this.shares = context.getStateStore(ShareTopology.SHARES_STORE);
        long now = context.currentSystemTimeMs();
        try (KeyValueIterator<String, NodeHeartbeat> known = nodes.all()) {
            known.forEachRemaining(node -> arrivals.put(node.key, now)); // after a restart, every node gets a full expiry
        }
        context.schedule(CHECK_EVERY, PunctuationType.WALL_CLOCK_TIME, this::forgetSilentNodes);
    }

    @Override
    public void process(Record<String, NodeHeartbeat> record) {
        long now = context.currentSystemTimeMs();
        NodeHeartbeat beat = record.value();
        NodeHeartbeat previous = nodes.get(record.key());
        if (beat == null) {
            if (previous != null) {
                forget(record.key());
                divideAll();
            }
            return;
        }
        if (beat.getSentAt().toEpochMilli() < now - expiry(beat)) {
            return; // an old beat, replayed: the node may be long gone
        }
        nodes.put(record.key(), beat);
        arrivals.put(record.key(), now);
        if (previous == null) {
            divideAll();
        } else {
            Set<String> consumers = new HashSet<>(previous.getGlobalLimits().keySet());
            consumers.addAll(beat.getGlobalLimits().keySet());
            divide(consumers, live());
        }
    }

    private void forgetSilentNodes(long now) {
        List<String> silent = new ArrayList<>();
        arrivals.forEach((node, arrived) -> {
            NodeHeartbeat beat = nodes.get(node);
            if (beat == null || now - arrived > expiry(beat)) {
                silent.add(node);
            }
        });
        if (!silent.isEmpty()) {
            silent.forEach(this::forget);
            divideAll();
        }
    }

    private void forget(String node) {
        nodes.delete(node);
        arrivals.remove(node);
    }

    private static long expiry(NodeHeartbeat beat) {
        long interval = beat.getIntervalMillis() > 0 ? beat.getIntervalMillis() : DEFAULT_INTERVAL.toMillis();
        return MISSED_BEATS * interval;
    }

    private Map<String, NodeHeartbeat> live() {
        Map<String, NodeHeartbeat> live = new TreeMap<>();
        try (KeyValueIterator<String, NodeHeartbeat> all = nodes.all()) {
            all.forEachRemaining(node -> live.put(node.key, node.value));
        }
        return live;
    }

    /** The nodes changed: every consumer listed by a live node, or holding shares, is divided anew. */
    private void divideAll() {
        Map<String, NodeHeartbeat> live = live();
        Set<String> consumers = new HashSet<>();
        live.values().forEach(beat -> consumers.addAll(beat.getGlobalLimits().keySet()));
        try (KeyValueIterator<String, Double> published = shares.all()) {
            published.forEachRemaining(share -> consumers.add(share.key.substring("consumer:".length(), share.key.lastIndexOf(NODE))));
        }
        divide(consumers, live);
    }

    private void divide(Set<String> consumers, Map<String, NodeHeartbeat> live) {
        for (String consumer : consumers) {
            GlobalLimit limit = null;
            Instant newest = Instant.MIN;
            Map<String, Double> demand = new LinkedHashMap<>();
            for (var node : live.entrySet()) {
                demand.put(node.getKey(), node.getValue().getDemand().getOrDefault(consumer, 0.0));
                GlobalLimit listed = node.getValue().getGlobalLimits().get(consumer);
                if (listed != null && node.getValue().getSentAt().isAfter(newest)) {
                    limit = listed;
                    newest = node.getValue().getSentAt();
                }
            }
            Map<String, Shares.Share> split = limit == null ? Map.of() : Shares.split(limit, demand);
            publish(consumer, limit, demand, split);
        }
    }

    /** Publishes the shares that moved enough, and lifts those of nodes that no longer count. */
    private void publish(String consumer, GlobalLimit limit, Map<String, Double> demand, Map<String, Shares.Share> split) {
        String prefix = "consumer:" + consumer + NODE;
        List<String> lifted = new ArrayList<>();
        try (KeyValueIterator<String, Double> published = shares.prefixScan(prefix, new StringSerializer())) {
            published.forEachRemaining(share -> {
                if (!split.containsKey(share.key.substring(prefix.length()))) {
                    lifted.add(share.key);
                }
            });
        }
        long now = context.currentSystemTimeMs();
        for (String scope : lifted) {
            shares.delete(scope);
            context.forward(new Record<>(LimitKeys.of(scope, SOURCE), null, now));
        }
        double total = demand.values().stream().mapToDouble(Double::doubleValue).sum();
        split.forEach((node, share) -> {
            String scope = prefix + node;
            Double before = shares.get(scope);
            if (before != null && Math.abs(before - share.ratePerSecond()) < REPUBLISH_CHANGE * limit.getRatePerSecond()) {
                return;
            }
            shares.put(scope, share.ratePerSecond());
            lastVersion = Math.max(lastVersion + 1, now);
            context.forward(new Record<>(LimitKeys.of(scope, SOURCE), LimitDirective.newBuilder()
                    .setScope(scope)
                    .setKind(DirectiveKind.RATE_SHARE)
                    .setSource(SOURCE)
                    .setValue(share.ratePerSecond())
                    .setBurst(share.burst())
                    .setReason(String.format("share of global limit %.1f requests/s among %d nodes by demand (%.1f of %.1f requests/s offered here)",
                            limit.getRatePerSecond(), split.size(), demand.get(node), total))
                    .setIssuedAt(Instant.ofEpochMilli(now))
                    .setExpiresAt(null)
                    .setVersion(lastVersion)
                    .build(), now));
        });
    }
}
