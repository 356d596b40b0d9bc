package io.eventgate.edge.policy;

import io.eventgate.avro.LimitDirective;
import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.follow.TopicFollower;
import io.eventgate.schemas.serde.ContractSerdes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Follows {@code gateway.limits}: the directives (by scope) that policy-streams, the anomaly detector and
 * operators issue. The request path reads one immutable map, replaced after each batch.
 */
public final class LimitFollower implements AutoCloseable {
    /** Silence from the broker for this long makes the directives' source unreachable. */
    static final java.time.Duration UNREACHABLE_AFTER = java.time.Duration.ofSeconds(10);

    private final Map<String, LimitDirective> building = new HashMap<>();
    private volatile Map<String, List<LimitDirective>> current = Map.of();
    private final TopicFollower<LimitDirective> follower;

    public LimitFollower(EdgeSettings settings, ContractSerdes serdes) {
        this.follower = new TopicFollower<>(new Topics(settings.kafka().topicPrefix()).name(Topic.LIMITS),
                settings.kafka().bootstrapServers(), "edge " + settings.nodeId(), serdes.<LimitDirective>serde(Topic.LIMITS).deserializer(),
                this::record, this::forget, this::publish);
    }

    /**
     * The directives in force, by scope ({@code consumer:ID}, {@code route:ID}, {@code client:IP}, {@code consumer:ID@node:N}):
     * each source's own (the topic keeps one per scope and source), for the edge to enforce the strictest.
     */
    public Map<String, List<LimitDirective>> current() {
        return current;
    }

    public boolean caughtUp() {
        return follower.caughtUp();
    }

    /** Whether the broker holding the directives answered lately; when it did not, quota states may be stale or missing. */
    public boolean reachable() {
        return follower.reachedWithin(UNREACHABLE_AFTER);
    }

    private synchronized void record(String key, LimitDirective directive) {
        if (directive == null) {
            building.remove(key);
        } else {
            building.put(key, directive);
        }
    }

    private synchronized void forget() {
        building.clear();
    }

    private synchronized void publish() {
        Map<String, List<LimitDirective>> byScope = new HashMap<>();
        building.values().forEach(d -> byScope.computeIfAbsent(d.getScope(), scope -> new java.util.ArrayList<>(2)).add(d));
        byScope.replaceAll((scope, directives) -> List.copyOf(directives));
        current = Map.copyOf(byScope);
    }

    @Override
    public void close() {
        follower.close();
    }
}
