package io.eventgate.edge.policy;

import io.eventgate.policy.model.CachePurge;
import java.util.function.Consumer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eventgate.avro.PolicyEntity;
import io.eventgate.avro.PolicyEntityType;
import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.edge.snapshot.Snapshot;
import io.eventgate.edge.snapshot.SnapshotHolder;
import io.eventgate.policy.model.ConsumerSettings;
import io.eventgate.policy.model.GlobalPolicy;
import io.eventgate.policy.model.PlanSettings;
import io.eventgate.policy.model.PoolSettings;
import io.eventgate.policy.model.RouteSettings;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.follow.TopicFollower;
import io.eventgate.schemas.serde.AvroSerde;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.settings.SettingsLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps the node's snapshot in step with {@code gateway.policies}: reads the compacted topic from the
 * beginning, each record replacing (or, as a tombstone, deleting) one route, pool, plan, consumer or the
 * global policy, and after each batch
 * swaps in a snapshot of the static YAML with those entities on top. Readiness turns true once the node
 * has caught up with the topic's end as it was at start. The last good set of entities is kept in a file
 * and applied at start, so a node that cannot reach Kafka still serves what it served before.
 */
public final class PolicyFollower implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PolicyFollower.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EdgeSettings staticSettings;
    private final SnapshotHolder snapshots;
    private final Path cacheFile;
    private final Map<String, PolicyEntity> entities = new TreeMap<>();
    private long version;
    private final TopicFollower<PolicyEntity> follower;
    private final Consumer<CachePurge> purges;

    public PolicyFollower(EdgeSettings staticSettings, SnapshotHolder snapshots, ContractSerdes serdes, Consumer<CachePurge> purges) {
        this.staticSettings = staticSettings;
        this.purges = purges;
        this.snapshots = snapshots;
        this.cacheFile = staticSettings.policies().cacheFile();
        loadCache();
        AvroSerde<PolicyEntity> serde = serdes.serde(Topic.POLICIES);
        this.follower = new TopicFollower<>(new Topics(staticSettings.kafka().topicPrefix()).name(Topic.POLICIES),
                staticSettings.kafka().bootstrapServers(), "edge " + staticSettings.nodeId(), serde.deserializer(),
                this::record, this::forget, this::apply);
    }

    /** True once the node applied everything that was on the topic when it started. */
    public boolean caughtUp() {
        return follower.caughtUp();
    }

    private void record(String key, PolicyEntity entity) {
        if (entity != null && entity.getEntityType() == PolicyEntityType.CACHE_PURGE) {
            try {
                purges.accept(bind(entity, CachePurge.class)); // an instruction for the cache, not part of the configuration
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "edge " + staticSettings.nodeId() + ": cannot apply cache purge " + key, e);
            }
            return;
        }
        synchronized (entities) {
            if (entity == null) {
                entities.remove(key);
            } else {
                entities.put(key, entity);
                version = Math.max(version, entity.getVersion());
            }
        }
    }

    /** The topic, read from its start, is the truth; the cache only bridged the gap. */
    private void forget() {
        synchronized (entities) {
            entities.clear();
        }
    }

    /** Builds and swaps in the snapshot of static settings plus followed entities; an invalid combination keeps the last good one. */
    private void apply() {
        Map<String, PolicyEntity> current;
        long currentVersion;
        synchronized (entities) {
            current = new LinkedHashMap<>(entities);
            currentVersion = version;
        }
        Map<String, PoolSettings> pools = new TreeMap<>(staticSettings.pools());
        Map<String, RouteSettings> routes = new LinkedHashMap<>();
        Map<String, PlanSettings> plans = new TreeMap<>(staticSettings.plans());
        Map<String, ConsumerSettings> consumers = new TreeMap<>(staticSettings.consumers());
        GlobalPolicy global = staticSettings.globalPolicy();
        staticSettings.routes().forEach(r -> routes.put(r.id(), r));
        try {
            for (PolicyEntity entity : current.values()) {
                switch (entity.getEntityType()) {
                    case UPSTREAM_POOL -> pools.put(entity.getEntityId(), bind(entity, PoolSettings.class));
                    case PLAN -> plans.put(entity.getEntityId(), bind(entity, PlanSettings.class));
                    case ROUTE -> routes.put(entity.getEntityId(), bind(entity, RouteSettings.class));
                    case CONSUMER -> consumers.put(entity.getEntityId(), bind(entity, ConsumerSettings.class));
                    case GLOBAL_POLICY -> global = bind(entity, GlobalPolicy.class);
                    default -> {
                        // limits and detector settings are for other readers
                    }
                }
            }
            EdgeSettings effective = staticSettings.withPolicies(pools, new ArrayList<>(routes.values()))
                    .withConsumers(consumers, plans).withGlobalPolicy(global);
            Snapshot applied = snapshots.update(previous -> Snapshot.build(effective, currentVersion, previous).withDisabledRoutes(previous.disabledRoutes()));
            LOG.info("edge " + staticSettings.nodeId() + " applies policy version " + applied.version() + " (" + applied.routes().routeIds().size() + " routes)");
            saveCache(current);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.SEVERE, "edge " + staticSettings.nodeId() + ": policies at version " + currentVersion
                    + " do not make a valid configuration; keeping version " + snapshots.get().version(), e);
        }
    }

    private static <T extends Record> T bind(PolicyEntity entity, Class<T> type) {
        return SettingsLoader.bindJson(entity.getSpec(), entity.getEntityKey(), type);
    }

    private void loadCache() {
        if (cacheFile == null || !Files.exists(cacheFile)) {
            return;
        }
        try {
            for (var node : JSON.readTree(cacheFile.toFile())) {
                PolicyEntity entity = PolicyEntity.newBuilder()
                        .setEntityKey(node.path("entityKey").asText())
                        .setEntityType(PolicyEntityType.valueOf(node.path("entityType").asText()))
                        .setEntityId(node.path("entityId").asText())
                        .setVersion(node.path("version").asLong())
                        .setSpec(node.path("spec").asText())
                        .setChecksum(node.path("checksum").asText())
                        .setSourceCommandId(node.path("sourceCommandId").asText())
                        .setValidatedAt(java.time.Instant.parse(node.path("validatedAt").asText()))
                        .build();
                entities.put(entity.getEntityKey(), entity);
                version = Math.max(version, entity.getVersion());
            }
            LOG.info("edge " + staticSettings.nodeId() + " starts from its cached policies (" + entities.size() + " entities, version " + version + ")");
            apply();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "edge " + staticSettings.nodeId() + ": ignoring unreadable policy cache " + cacheFile, e);
            entities.clear();
        }
    }

    private void saveCache(Map<String, PolicyEntity> current) throws IOException {
        if (cacheFile == null) {
            return;
        }
        ArrayNode list = JSON.createArrayNode();
        for (PolicyEntity entity : current.values()) {
            ObjectNode node = list.addObject();
            node.put("entityKey", entity.getEntityKey()).put("entityType", entity.getEntityType().name()).put("entityId", entity.getEntityId())
                    .put("version", entity.getVersion()).put("spec", entity.getSpec()).put("checksum", entity.getChecksum())
                    .put("sourceCommandId", entity.getSourceCommandId()).put("validatedAt", entity.getValidatedAt().toString());
        }
        Files.createDirectories(cacheFile.toAbsolutePath().getParent());
        Path temp = cacheFile.resolveSibling(cacheFile.getFileName() + ".tmp");
        Files.writeString(temp, list.toString());
        Files.move(temp, cacheFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public void close() {
        follower.close();
    }
}
