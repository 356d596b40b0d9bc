package io.eventgate.policy.control;

import io.eventgate.avro.EntityType;
import io.eventgate.avro.PolicyEntityType;
import io.eventgate.policy.model.CachePurge;
import io.eventgate.policy.model.ConsumerSettings;
import io.eventgate.policy.model.DetectorTuning;
import io.eventgate.policy.model.GlobalPolicy;
import io.eventgate.policy.model.OperatorLimitSettings;
import io.eventgate.policy.model.PlanSettings;
import io.eventgate.policy.model.PoolSettings;
import io.eventgate.policy.model.RouteSettings;
import io.eventgate.policy.model.WebhookSettings;
import java.util.Arrays;
import java.util.Optional;

/** The entity types policy-streams accepts: the key prefix of each, and the record its spec must bind to. */
public enum EntityKind {
    ROUTE(EntityType.ROUTE, PolicyEntityType.ROUTE, "route", RouteSettings.class),
    UPSTREAM_POOL(EntityType.UPSTREAM_POOL, PolicyEntityType.UPSTREAM_POOL, "pool", PoolSettings.class),
    LIMIT(EntityType.LIMIT, PolicyEntityType.LIMIT, "limit", OperatorLimitSettings.class),
    PLAN(EntityType.PLAN, PolicyEntityType.PLAN, "plan", PlanSettings.class),
    CONSUMER(EntityType.CONSUMER, PolicyEntityType.CONSUMER, "consumer", ConsumerSettings.class),
    GLOBAL_POLICY(EntityType.GLOBAL_POLICY, PolicyEntityType.GLOBAL_POLICY, "global", GlobalPolicy.class),
    DETECTOR_SETTINGS(EntityType.DETECTOR_SETTINGS, PolicyEntityType.DETECTOR_SETTINGS, "detectors", DetectorTuning.class),
    /** Not kept: published once for the edges, then tombstoned, so the compacted topic does not collect purges. */
    CACHE_PURGE(EntityType.CACHE_PURGE, PolicyEntityType.CACHE_PURGE, "purge", CachePurge.class),
    WEBHOOK(EntityType.WEBHOOK, PolicyEntityType.WEBHOOK, "webhook", WebhookSettings.class);

    private final EntityType commandType;
    private final PolicyEntityType entityType;
    private final String keyPrefix;
    private final Class<? extends Record> spec;

    EntityKind(EntityType commandType, PolicyEntityType entityType, String keyPrefix, Class<? extends Record> spec) {
        this.commandType = commandType;
        this.entityType = entityType;
        this.keyPrefix = keyPrefix;
        this.spec = spec;
    }

    public static Optional<EntityKind> of(EntityType type) {
        return Arrays.stream(values()).filter(k -> k.commandType == type).findFirst();
    }

    public PolicyEntityType entityType() {
        return entityType;
    }

    /** The entity key of an id of this kind, e.g. {@code route:api}. */
    public String key(String entityId) {
        return keyPrefix + ":" + entityId;
    }

    public Class<? extends Record> spec() {
        return spec;
    }
}
