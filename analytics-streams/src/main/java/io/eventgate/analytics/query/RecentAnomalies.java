package io.eventgate.analytics.query;

import io.eventgate.avro.AnomalyEvent;
import io.eventgate.schemas.follow.TopicFollower;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The latest anomalies of {@code gateway.anomalies}, for the dashboard. Every instance reads every partition
 * (without a consumer group), starting a little before the end, and keeps the newest {@code capacity}; an
 * undecodable record is logged and skipped.
 */
final class RecentAnomalies implements AutoCloseable {
    private final int capacity;
    private final ArrayDeque<AnomalyEvent> latest = new ArrayDeque<>();
    private final TopicFollower<AnomalyEvent> follower;

    RecentAnomalies(String bootstrapServers, String topic, Deserializer<AnomalyEvent> deserializer, int capacity) {
        this.capacity = capacity;
        this.follower = new TopicFollower<>(topic, bootstrapServers, "analytics-recent-anomalies", deserializer, capacity,
                (scope, anomaly) -> keep(anomaly), this::forget, () -> { });
    }

    /** The newest anomalies first. */
    synchronized List<AnomalyEvent> newest(int limit) {
        List<AnomalyEvent> newest = new ArrayList<>(latest);
        newest.sort(Comparator.comparing(AnomalyEvent::getDetectedAt).reversed());
        return newest.subList(0, Math.min(limit, newest.size()));
    }

    private synchronized void keep(AnomalyEvent anomaly) {
        if (anomaly == null) {
            return;
        }
        latest.addLast(anomaly);
        while (latest.size() > capacity) {
            latest.removeFirst();
        }
    }

    /** Reading starts over (after a failure) from the last records: what was kept would come again. */
    private synchronized void forget() {
        latest.clear();
    }

    @Override
    public void close() {
        follower.close();
    }
}
