package io.eventgate.analytics.query;

import io.eventgate.avro.AnomalyEvent;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The latest anomalies of {@code gateway.anomalies}, for the dashboard. Every instance reads every partition
 * (without a consumer group), starting a little before the end, and keeps the newest {@code capacity}; an
 * undecodable record is logged and skipped.
 */
final class RecentAnomalies implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RecentAnomalies.class.getName());

    private final KafkaConsumer<String, AnomalyEvent> consumer;
    private final String topic;
    private final int capacity;
    private final ArrayDeque<AnomalyEvent> latest = new ArrayDeque<>();
    private final Thread reader;
    private volatile boolean running = true;

    RecentAnomalies(String bootstrapServers, String topic, Deserializer<AnomalyEvent> deserializer, int capacity) {
        this.topic = topic;
        this.capacity = capacity;
        this.consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, "analytics-recent-anomalies"), new StringDeserializer(), deserializer);
        this.reader = Thread.ofPlatform().daemon().name("recent-anomalies").start(this::read);
    }

    /** The newest anomalies first. */
    synchronized List<AnomalyEvent> newest(int limit) {
        List<AnomalyEvent> newest = new ArrayList<>(latest);
        newest.sort(Comparator.comparing(AnomalyEvent::getDetectedAt).reversed());
        return newest.subList(0, Math.min(limit, newest.size()));
    }

    private synchronized void keep(AnomalyEvent anomaly) {
        latest.addLast(anomaly);
        while (latest.size() > capacity) {
            latest.removeFirst();
        }
    }

    private void read() {
        try {
            List<TopicPartition> partitions = waitForPartitions();
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            Map<TopicPartition, Long> starts = new HashMap<>(consumer.beginningOffsets(partitions));
            for (TopicPartition partition : partitions) {
                consumer.seek(partition, Math.max(starts.get(partition), ends.get(partition) - capacity));
            }
            while (running) {
                try {
                    consumer.poll(Duration.ofMillis(500)).forEach(record -> {
                        if (record.value() != null) {
                            keep(record.value());
                        }
                    });
                } catch (RecordDeserializationException e) {
                    LOG.warning("skipping undecodable anomaly at " + e.topicPartition() + "@" + e.offset() + ": " + e.getMessage());
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            if (running) {
                LOG.severe("recent anomalies stopped: " + e);
            }
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private List<TopicPartition> waitForPartitions() {
        while (running) {
            try {
                var infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
                if (infos != null && !infos.isEmpty()) {
                    return infos.stream().map(info -> new TopicPartition(info.topic(), info.partition())).toList();
                }
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                // the broker or the topic is not there yet: ask again
            }
        }
        throw new WakeupException();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        reader.join(Duration.ofSeconds(5));
    }
}
