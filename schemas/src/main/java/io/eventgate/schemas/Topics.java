package io.eventgate.schemas;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The contract's topic names under one deployment prefix (default {@code gateway.}), and the
 * {@link NewTopic} definitions that create them with their cleanup policies and retention.
 */
public record Topics(String prefix) {
    public static final String DEFAULT_PREFIX = "gateway.";
    private static final Pattern LEGAL_PREFIX = Pattern.compile("[a-zA-Z0-9._-]*");

    public Topics {
        if (prefix == null || !LEGAL_PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("topic prefix '" + prefix + "' may only hold letters, digits, '.', '_' and '-'");
        }
        if (prefix.length() > 200) {
            throw new IllegalArgumentException("topic prefix is longer than 200 characters: " + prefix);
        }
    }

    public static Topics defaults() {
        return new Topics(DEFAULT_PREFIX);
    }

    public String name(Topic topic) {
        return prefix + topic.suffix();
    }

    /** The Confluent subject (TopicNameStrategy) under which the topic's value schema is registered. */
    public String valueSubject(Topic topic) {
        return name(topic) + "-value";
    }

    public String requests() { return name(Topic.REQUESTS); }
    public String decisions() { return name(Topic.DECISIONS); }
    public String control() { return name(Topic.CONTROL); }
    public String controlRejections() { return name(Topic.CONTROL_REJECTIONS); }
    public String policies() { return name(Topic.POLICIES); }
    public String limits() { return name(Topic.LIMITS); }
    public String usage() { return name(Topic.USAGE); }
    public String routeStats() { return name(Topic.ROUTE_STATS); }
    public String anomalies() { return name(Topic.ANOMALIES); }
    public String nodes() { return name(Topic.NODES); }

    public String nodeConfig() { return name(Topic.NODE_CONFIG); }
    public String captures() { return name(Topic.CAPTURES); }
    public String mirrorDiffs() { return name(Topic.MIRROR_DIFFS); }

    /**
     * Every contract topic, with its cleanup policy, at the given partition count and replication factor;
     * the totally ordered topics (control, policies) always get one partition.
     */
    public List<NewTopic> newTopics(int partitions, short replicationFactor) {
        return newTopics(partitions, java.util.Optional.of(replicationFactor));
    }

    /** Every contract topic at the brokers' default replication: one replica on a single broker, three on a cluster. */
    public List<NewTopic> newTopics(int partitions) {
        return newTopics(partitions, java.util.Optional.empty());
    }

    private List<NewTopic> newTopics(int partitions, java.util.Optional<Short> replicationFactor) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
        }
        return Arrays.stream(Topic.values())
                .map(t -> new NewTopic(name(t), java.util.Optional.of(t.totallyOrdered() ? 1 : partitions), replicationFactor)
                        .configs(t.configs()))
                .toList();
    }
}
