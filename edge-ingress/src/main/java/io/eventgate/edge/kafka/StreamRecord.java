package io.eventgate.edge.kafka;

import io.eventgate.schemas.serde.WireRecords;

import io.eventgate.schemas.registry.SchemaRegistryClient;
import java.util.Map;

/**
 * One record as an event stream sends it: where it is, its key, value and headers, and the event id a client resumes
 * after it with, which names the next offset of every partition (so the id alone says where to go on).
 */
record StreamRecord(int partition, long offset, String key, byte[] value, Map<String, String> headers, String id, JsonValue json) {
    /** The value as JSON, decoded once for every stream that sends it. */
    static final class JsonValue {
        private volatile String json;

        String of(byte[] value, String topic, SchemaRegistryClient registry) {
            if (json == null) {
                json = WireRecords.json(value, topic, registry);
            }
            return json;
        }
    }

    static StreamRecord of(int partition, long offset, String key, byte[] value, Map<String, String> headers, long[] nextOffsets) {
        return new StreamRecord(partition, offset, key, value, headers, eventId(nextOffsets), new JsonValue());
    }

    static String eventId(long[] nextOffsets) {
        StringBuilder id = new StringBuilder();
        for (int p = 0; p < nextOffsets.length; p++) {
            if (p > 0) {
                id.append(',');
            }
            id.append(p).append(':').append(nextOffsets[p]);
        }
        return id.toString();
    }

    /** The next offsets an event id names, one per partition; null when it is not an id of a topic with {@code partitions}. */
    static long[] parseEventId(String id, int partitions) {
        String[] parts = id.trim().split(",");
        if (parts.length != partitions) {
            return null;
        }
        long[] next = new long[partitions];
        for (int p = 0; p < partitions; p++) {
            String[] pair = parts[p].split(":");
            try {
                if (pair.length != 2 || Integer.parseInt(pair[0]) != p || (next[p] = Long.parseLong(pair[1])) < 0) {
                    return null;
                }
            } catch (NumberFormatException malformed) {
                return null;
            }
        }
        return next;
    }
}
