package io.eventgate.schemas;

import io.eventgate.avro.AnomalyEvent;
import io.eventgate.avro.CommandRejection;
import io.eventgate.avro.DecisionEvent;
import io.eventgate.avro.LimitDirective;
import io.eventgate.avro.MirrorDiff;
import io.eventgate.avro.NodeConfig;
import io.eventgate.avro.NodeHeartbeat;
import io.eventgate.avro.PolicyCommand;
import io.eventgate.avro.PolicyEntity;
import io.eventgate.avro.RequestCapture;
import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RouteStats;
import io.eventgate.avro.UsageRecord;
import io.eventgate.avro.WebhookDelivery;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.avro.specific.SpecificRecord;

/** Every topic of the contract (design/system.md): its name without prefix, its key, its value type and its cleanup policy. */
public enum Topic {
    REQUESTS("requests", "consumer id ('anonymous' if none)", RequestEvent.class, RequestEvent.getClassSchema(), Cleanup.DELETE),
    DECISIONS("decisions", "consumer id", DecisionEvent.class, DecisionEvent.getClassSchema(), Cleanup.DELETE),
    CONTROL("control", "entity key (route:ID, consumer:ID, plan:ID, pool:ID, global:ID, limit:SCOPE)", PolicyCommand.class, PolicyCommand.getClassSchema(), Cleanup.COMPACT),
    CONTROL_REJECTIONS("control-rejections", "entity key", CommandRejection.class, CommandRejection.getClassSchema(), Cleanup.DELETE),
    POLICIES("policies", "entity key", PolicyEntity.class, PolicyEntity.getClassSchema(), Cleanup.COMPACT),
    LIMITS("limits", "scope|source (scope: consumer:ID, route:ID, client:IP, consumer:ID@node:N; source: policy-streams, anomaly-detector, operator)", LimitDirective.class, LimitDirective.getClassSchema(), Cleanup.COMPACT),
    USAGE("usage", "consumer id", UsageRecord.class, UsageRecord.getClassSchema(), Cleanup.DELETE),
    ROUTE_STATS("route-stats", "route id", RouteStats.class, RouteStats.getClassSchema(), Cleanup.DELETE),
    ANOMALIES("anomalies", "scope", AnomalyEvent.class, AnomalyEvent.getClassSchema(), Cleanup.DELETE),
    NODES("nodes", "node id", NodeHeartbeat.class, NodeHeartbeat.getClassSchema(), Cleanup.COMPACT),
    NODE_CONFIG("node-config", "node id", NodeConfig.class, NodeConfig.getClassSchema(), Cleanup.COMPACT),
    WEBHOOK_DELIVERIES("webhook-deliveries", "subscription id", WebhookDelivery.class, WebhookDelivery.getClassSchema(), Cleanup.DELETE),
    // whole requests, redacted but still sensitive: kept one day, enough to replay today's traffic elsewhere
    CAPTURES("captures", "route id", RequestCapture.class, RequestCapture.getClassSchema(), Cleanup.DELETE, Duration.ofDays(1)),
    MIRROR_DIFFS("mirror-diffs", "route id", MirrorDiff.class, MirrorDiff.getClassSchema(), Cleanup.DELETE);

    /** Kafka's cleanup.policy values used by the contract. */
    public enum Cleanup {
        DELETE("delete"), COMPACT("compact");

        private final String configValue;

        Cleanup(String configValue) {
            this.configValue = configValue;
        }

        public String configValue() {
            return configValue;
        }
    }

    private final String suffix;
    private final String key;
    private final Class<? extends SpecificRecord> valueType;
    private final Schema valueSchema;
    private final Cleanup cleanup;
    private final Duration retention;

    Topic(String suffix, String key, Class<? extends SpecificRecord> valueType, Schema valueSchema, Cleanup cleanup) {
        this(suffix, key, valueType, valueSchema, cleanup, null);
    }

    Topic(String suffix, String key, Class<? extends SpecificRecord> valueType, Schema valueSchema, Cleanup cleanup, Duration retention) {
        this.suffix = suffix;
        this.key = key;
        this.valueType = valueType;
        this.valueSchema = valueSchema;
        this.cleanup = cleanup;
        this.retention = retention;
    }

    /** Name of the topic without the deployment's prefix, e.g. {@code requests}. */
    public String suffix() {
        return suffix;
    }

    /** What the record key holds. */
    public String keyDescription() {
        return key;
    }

    public Class<? extends SpecificRecord> valueType() {
        return valueType;
    }

    public Schema valueSchema() {
        return valueSchema;
    }

    public Cleanup cleanup() {
        return cleanup;
    }

    /** How long the contract keeps the topic's records, when it sets this instead of leaving it to the broker's default. */
    public Optional<Duration> retention() {
        return Optional.ofNullable(retention);
    }

    /** The topic configuration the contract sets: its cleanup policy and, where it has one, its retention. */
    public Map<String, String> configs() {
        return retention == null ? Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, cleanup.configValue())
                : Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, cleanup.configValue(), TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.toMillis()));
    }

    /**
     * Whether the topic's records must keep one order across keys: a command may refer to an entity created
     * by the command before it (a route to a new pool), so control and policies live in one partition.
     */
    public boolean totallyOrdered() {
        return this == CONTROL || this == POLICIES;
    }
}
