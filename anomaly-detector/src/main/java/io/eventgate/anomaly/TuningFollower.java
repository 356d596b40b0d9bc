package io.eventgate.anomaly;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventgate.avro.PolicyEntity;
import io.eventgate.policy.model.DetectorTuning;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.settings.SettingsLoader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows the operators' tuning of the detector: entity {@code detectors:anomaly} on {@code gateway.policies},
 * validated by policy-streams, read from the start of the topic and then as it changes. A tombstone returns
 * the detector to its own settings; a spec this version cannot read is logged and the last good one kept.
 */
final class TuningFollower implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TuningFollower.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String KEY = "detectors:" + DetectorTuning.ENTITY_ID;

    private final KafkaConsumer<String, PolicyEntity> consumer;
    private final String topic;
    private final Thread reader;
    private volatile DetectorTuning current;
    private volatile boolean running = true;

    TuningFollower(String bootstrapServers, Topics topics, ContractSerdes serdes) {
        this.topic = topics.policies();
        this.consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, "anomaly-detector-tuning"), new StringDeserializer(), serdes.<PolicyEntity>serde(Topic.POLICIES).deserializer());
        this.reader = Thread.ofPlatform().daemon().name("detector-tuning").start(this::follow);
    }

    /** The latest tuning, or null while operators have sent none. */
    DetectorTuning current() {
        return current;
    }

    private void follow() {
        try {
            // gateway.policies has one partition: the order of policy versions is total
            List<TopicPartition> partition = List.of(new TopicPartition(topic, 0));
            consumer.assign(partition);
            consumer.seekToBeginning(partition);
            while (running) {
                try {
                    consumer.poll(Duration.ofMillis(500)).forEach(record -> {
                        if (KEY.equals(record.key())) {
                            apply(record.value());
                        }
                    });
                } catch (RecordDeserializationException e) {
                    LOG.warning("skipping an undecodable policy at offset " + e.offset() + ": " + e.getMessage());
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void apply(PolicyEntity entity) {
        if (entity == null) {
            current = null;
            LOG.info("detector tuning deleted: the detector's own settings are in force");
            return;
        }
        try {
            current = SettingsLoader.bind(JSON.readTree(entity.getSpec()), "spec", DetectorTuning.class);
            LOG.info("detector tuning version " + entity.getVersion() + " received");
        } catch (Exception e) {
            LOG.warning("detector tuning version " + entity.getVersion() + " cannot be read, keeping the previous one: " + e.getMessage());
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        reader.join(Duration.ofSeconds(5));
    }
}
