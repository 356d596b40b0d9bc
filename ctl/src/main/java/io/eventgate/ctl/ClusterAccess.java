package io.eventgate.ctl;

import io.eventgate.avro.CommandRejection;
import io.eventgate.avro.PolicyCommand;
import io.eventgate.avro.PolicyEntity;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.follow.TopicFollower;
import io.eventgate.schemas.serde.ContractSerdes;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** What the CLI does with the cluster: send commands, read the compacted policies, read or follow rejections. */
final class ClusterAccess {
    private final String bootstrapServers;
    private final Topics topics;
    private final ContractSerdes serdes;

    ClusterAccess(String bootstrapServers, String registryUrl, String topicPrefix) {
        this.bootstrapServers = bootstrapServers;
        this.topics = new Topics(topicPrefix);
        this.serdes = ContractSerdes.of(registryUrl);
    }

    Topics topics() {
        return topics;
    }

    void send(List<PolicyCommand> commands, Map<PolicyCommand, String> keys) {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), serdes.<PolicyCommand>serde(Topic.CONTROL).serializer())) {
            for (PolicyCommand command : commands) {
                producer.send(new ProducerRecord<>(topics.control(), keys.get(command), command));
            }
            producer.flush();
        }
    }

    /** The policies in force: the compacted topic read from its beginning to its current end. */
    Map<String, PolicyEntity> policies() {
        return policies(new java.util.HashSet<>());
    }

    /**
     * The policies in force, and in {@code published} the ids of every command with an entity on the topic, removed
     * ones included (a cache purge is tombstoned right after it is published).
     */
    Map<String, PolicyEntity> policies(java.util.Set<String> published) {
        Map<String, PolicyEntity> current = new LinkedHashMap<>();
        Read<PolicyEntity> latest = latest(Topic.POLICIES, current, TopicFollower.FROM_BEGINNING);
        readToEnd(List.of(new Read<PolicyEntity>(latest.topic(), latest.values(), latest.tail(), record -> {
            latest.sink().accept(record);
            if (record.value() != null) {
                published.add(record.value().getSourceCommandId());
            }
        })));
        return current;
    }

    /** The directives in force: the compacted gateway.limits, by scope. */
    Map<String, io.eventgate.avro.LimitDirective> limits() {
        Map<String, io.eventgate.avro.LimitDirective> limits = new java.util.TreeMap<>();
        readToEnd(List.of(latest(Topic.LIMITS, limits, TopicFollower.FROM_BEGINNING)));
        return limits;
    }

    /** The last heartbeat of every edge node (the compacted gateway.nodes). */
    Map<String, io.eventgate.avro.NodeHeartbeat> nodes() {
        Map<String, io.eventgate.avro.NodeHeartbeat> nodes = new java.util.TreeMap<>();
        readToEnd(List.of(latest(Topic.NODES, nodes, TopicFollower.FROM_BEGINNING)));
        return nodes;
    }

    /** The static entities each edge node declared when it started (the compacted gateway.node-config), by node id. */
    Map<String, io.eventgate.avro.NodeConfig> nodeConfigs() {
        Map<String, io.eventgate.avro.NodeConfig> configs = new java.util.TreeMap<>();
        readToEnd(List.of(latest(Topic.NODE_CONFIG, configs, TopicFollower.FROM_BEGINNING)));
        return configs;
    }

    /** One topic to read to its end, from the last {@code tail} records of each partition (or its beginning), each record to {@code sink}. */
    record Read<V>(String topic, Deserializer<V> values, long tail, Consumer<ConsumerRecord<String, V>> sink) {
        void accept(ConsumerRecord<String, byte[]> raw) {
            V value = raw.value() == null ? null : values.deserialize(raw.topic(), raw.headers(), raw.value());
            sink.accept(new ConsumerRecord<>(raw.topic(), raw.partition(), raw.offset(), raw.key(), value));
        }
    }

    /** A compacted contract topic's latest value of each key, into {@code into}: a tombstone removes its key. */
    <V extends org.apache.avro.specific.SpecificRecord> Read<V> latest(Topic contract, Map<String, V> into, long tail) {
        return new Read<>(topics.name(contract), serdes.<V>serde(contract).deserializer(), tail, record -> {
            if (record.value() == null) {
                into.remove(record.key());
            } else {
                into.put(record.key(), record.value());
            }
        });
    }

    /**
     * The captures of {@code route} taken from {@code from} to {@code to}, at most {@code limit}, in the order each node
     * published them: every partition is read from the first record at or after {@code from} to its current end.
     */
    List<io.eventgate.avro.RequestCapture> captures(String route, java.time.Instant from, java.time.Instant to, int limit) {
        String topic = topics.captures();
        List<io.eventgate.avro.RequestCapture> found = new java.util.ArrayList<>();
        try (KafkaConsumer<String, io.eventgate.avro.RequestCapture> consumer =
                     consumer(serdes.<io.eventgate.avro.RequestCapture>serde(Topic.CAPTURES).deserializer(), true)) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
            Map<TopicPartition, Long> times = new java.util.HashMap<>();
            partitions.forEach(p -> times.put(p, from.toEpochMilli()));
            consumer.offsetsForTimes(times, Duration.ofSeconds(10)).forEach((partition, offset) ->
                    consumer.seek(partition, offset == null ? end.get(partition) : offset.offset()));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (found.size() < limit && end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within 60 s");
                }
                for (ConsumerRecord<String, io.eventgate.avro.RequestCapture> record : consumer.poll(Duration.ofMillis(200))) {
                    io.eventgate.avro.RequestCapture capture = record.value();
                    if (capture != null && found.size() < limit && capture.getRouteId().equals(route) && !capture.getTimestamp().isBefore(from)
                            && !capture.getTimestamp().isAfter(to)) {
                        found.add(capture);
                    }
                }
            }
        }
        found.sort(java.util.Comparator.comparing(io.eventgate.avro.RequestCapture::getTimestamp));
        return found;
    }

    /** Rejections from the beginning; with {@code follow}, keeps printing new ones until interrupted. */
    void rejections(boolean follow, Consumer<CommandRejection> sink) {
        Deserializer<CommandRejection> values = serdes.<CommandRejection>serde(Topic.CONTROL_REJECTIONS).deserializer();
        if (!follow) {
            readToEnd(List.of(new Read<>(topics.controlRejections(), values, TopicFollower.FROM_BEGINNING, record -> sink.accept(record.value()))));
            return;
        }
        try (KafkaConsumer<String, CommandRejection> consumer = consumer(values, false)) {
            List<TopicPartition> partitions = partitions(consumer, topics.controlRejections());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (!Thread.currentThread().isInterrupted()) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> sink.accept(r.value()));
            }
        }
    }

    /**
     * Every record of {@code topic} from now on (from its beginning with {@code fromBeginning}) to {@code sink}, until
     * the sink answers false or the thread is interrupted.
     */
    <V extends org.apache.avro.specific.SpecificRecord> void follow(Topic contract, boolean fromBeginning, java.util.function.Predicate<V> sink) {
        String topic = topics.name(contract);
        try (KafkaConsumer<String, V> consumer = consumer(serdes.<V>serde(contract).deserializer(), false)) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            if (fromBeginning) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
            }
            while (!Thread.currentThread().isInterrupted()) {
                for (ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() != null && !sink.test(record.value())) {
                        return;
                    }
                }
            }
        }
    }

    /**
     * Reads each topic to its current end with one consumer (a command's start-up is mostly the Kafka client's, so one
     * client for every topic it needs).
     */
    void readToEnd(List<Read<?>> reads) {
        try (KafkaConsumer<String, byte[]> consumer = consumer(new org.apache.kafka.common.serialization.ByteArrayDeserializer(), true)) {
            Map<String, Read<?>> byTopic = new java.util.HashMap<>();
            Map<Read<?>, List<TopicPartition>> partitions = new LinkedHashMap<>();
            for (Read<?> read : reads) {
                byTopic.put(read.topic(), read);
                partitions.put(read, partitions(consumer, read.topic()));
            }
            List<TopicPartition> all = partitions.values().stream().flatMap(List::stream).toList();
            consumer.assign(all);
            Map<TopicPartition, Long> end = consumer.endOffsets(all, Duration.ofSeconds(10));
            partitions.forEach((read, own) -> TopicFollower.seekToStart(consumer, own, end, read.tail()));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + byTopic.keySet() + " to the end within 30 s");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(record -> byTopic.get(record.topic()).accept(record));
            }
        }
    }

    /** A consumer without a group; {@code toEnd}: it reads to an end, so a fetch that finds nothing new comes back at once. */
    private <V> KafkaConsumer<String, V> consumer(Deserializer<V> values, boolean toEnd) {
        // a command lasts a second: no JMX beans and no telemetry push for it, both cost start-up time and nothing reads them
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000, ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, toEnd ? 10 : 500,
                ConsumerConfig.METRIC_REPORTER_CLASSES_CONFIG, "", ConsumerConfig.ENABLE_METRICS_PUSH_CONFIG, false),
                new StringDeserializer(), values);
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
        var info = consumer.partitionsFor(topic, Duration.ofSeconds(10));
        if (info == null || info.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " does not exist (is the gateway's Kafka at the given address?)");
        }
        return info.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }
}
