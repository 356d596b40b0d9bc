package io.eventgate.edge.policy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eventgate.avro.PolicyEntity;
import io.eventgate.avro.PolicyEntityType;
import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.edge.snapshot.Snapshot;
import io.eventgate.edge.snapshot.SnapshotHolder;
import io.eventgate.policy.model.PoolSettings;
import io.eventgate.policy.model.RouteSettings;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.AvroSerde;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.settings.SettingsLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Keeps the node's snapshot in step with {@code gateway.policies}: reads the compacted topic from the
 * beginning, each record replacing (or, as a tombstone, deleting) one route or pool, and after each batch
 * swaps in a snapshot of the static YAML with those entities on top. Readiness turns true once the node
 * has caught up with the topic's end as it was at start. The last good set of entities is kept in a file
 * and applied at start, so a node that cannot reach Kafka still serves what it served before.
 */
public final class PolicyFollower implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PolicyFollower.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EdgeSettings staticSettings;
    private final SnapshotHolder snapshots;
    private final String topic;
    private final Path cacheFile;
    private final Map<String, Object> consumerConfig;
    private final AvroSerde<PolicyEntity> serde;
    private final Map<String, PolicyEntity> entities = new TreeMap<>();
    private long version;
    private volatile boolean caughtUp;
    private volatile boolean running = true;
    private final Thread thread;

    public PolicyFollower(EdgeSettings staticSettings, SnapshotHolder snapshots, ContractSerdes serdes) {
        this.staticSettings = staticSettings;
        this.snapshots = snapshots;
        this.topic = new Topics(staticSettings.kafka().topicPrefix()).name(Topic.POLICIES);
        this.cacheFile = staticSettings.policies().cacheFile();
        this.serde = serdes.serde(Topic.POLICIES);
        this.consumerConfig = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, staticSettings.kafka().bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.CLIENT_ID_CONFIG, "edge-policies-" + staticSettings.nodeId());
        loadCache();
        this.thread = Thread.ofPlatform().daemon().name("policy-follower").start(this::follow);
    }

    /** True once the node applied everything that was on the topic when it started. */
    public boolean caughtUp() {
        return caughtUp;
    }

    private void follow() {
        while (running) {
            try (KafkaConsumer<String, PolicyEntity> consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), serde.deserializer())) {
                List<TopicPartition> partitions = partitions(consumer);
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
                synchronized (entities) {
                    entities.clear(); // the topic, read from its start, is the truth; the cache only bridged the gap
                }
                boolean applied = false;
                while (running) {
                    boolean changed = poll(consumer);
                    if (changed || !applied) {
                        apply();
                        applied = true;
                    }
                    if (!caughtUp && end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                        caughtUp = true;
                        LOG.info("edge " + staticSettings.nodeId() + " caught up with " + topic + ": " + entities.size() + " entities, version " + version);
                    }
                }
            } catch (RuntimeException e) {
                if (running) {
                    LOG.log(Level.WARNING, "edge " + staticSettings.nodeId() + " cannot follow " + topic + "; keeping the current policies and retrying", e);
                    sleep(1000);
                }
            }
        }
    }

    private List<TopicPartition> partitions(KafkaConsumer<String, PolicyEntity> consumer) {
        while (running) {
            List<PartitionInfo> info = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            if (info != null && !info.isEmpty()) {
                return info.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            }
            sleep(500);
        }
        return List.of();
    }

    /** One poll; a record that cannot be decoded is logged with its position and skipped. */
    private boolean poll(KafkaConsumer<String, PolicyEntity> consumer) {
        try {
            boolean changed = false;
            for (ConsumerRecord<String, PolicyEntity> record : consumer.poll(Duration.ofMillis(200))) {
                synchronized (entities) {
                    if (record.value() == null) {
                        changed |= entities.remove(record.key()) != null;
                    } else {
                        entities.put(record.key(), record.value());
                        version = Math.max(version, record.value().getVersion());
                        changed = true;
                    }
                }
            }
            return changed;
        } catch (RecordDeserializationException e) {
            LOG.severe("edge " + staticSettings.nodeId() + ": skipping undecodable policy at " + e.topicPartition() + " offset " + e.offset() + ": " + e.getCause());
            consumer.seek(e.topicPartition(), e.offset() + 1);
            return false;
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
        staticSettings.routes().forEach(r -> routes.put(r.id(), r));
        try {
            for (PolicyEntity entity : current.values()) {
                if (entity.getEntityType() == PolicyEntityType.UPSTREAM_POOL) {
                    pools.put(entity.getEntityId(), SettingsLoader.bind(JSON.readTree(entity.getSpec()), entity.getEntityKey(), PoolSettings.class));
                } else if (entity.getEntityType() == PolicyEntityType.ROUTE) {
                    routes.put(entity.getEntityId(), SettingsLoader.bind(JSON.readTree(entity.getSpec()), entity.getEntityKey(), RouteSettings.class));
                }
            }
            EdgeSettings effective = staticSettings.withPolicies(pools, new ArrayList<>(routes.values()));
            Snapshot applied = snapshots.update(previous -> Snapshot.build(effective, currentVersion, previous).withDisabledRoutes(previous.disabledRoutes()));
            LOG.info("edge " + staticSettings.nodeId() + " applies policy version " + applied.version() + " (" + applied.routes().routeIds().size() + " routes)");
            saveCache(current);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.SEVERE, "edge " + staticSettings.nodeId() + ": policies at version " + currentVersion
                    + " do not make a valid configuration; keeping version " + snapshots.get().version(), e);
        }
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

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
