package io.eventgate.schemas;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Kafka record headers the edge puts on every event it publishes, so that consumers can drop the copies a
 * crash or a resend makes (delivery is at least once). An edge node numbers its events in the order it
 * publishes them, and Kafka keeps that order within a partition: in one partition, an event whose sequence is
 * not above the highest already seen from the same node is a copy. Resent events are also flagged.
 */
public final class EventHeaders {
    /** The edge node that published the event (UTF-8). */
    public static final String NODE = "eventgate-node";
    /** The event's sequence on that node: 8 bytes, big-endian, growing in publish order, across restarts too. */
    public static final String SEQUENCE = "eventgate-sequence";
    /** Present (value "1") when the event may have been published before: sent again after a crash or a failed send. */
    public static final String REDELIVERY = "eventgate-redelivery";

    private EventHeaders() {
    }

    public static byte[] sequenceBytes(long sequence) {
        return ByteBuffer.allocate(Long.BYTES).putLong(sequence).array();
    }

    /** The node named by the headers, or null when the record has none (published by something else). */
    public static String node(Headers headers) {
        Header header = headers.lastHeader(NODE);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The sequence in the headers, or -1 when the record has none. */
    public static long sequence(Headers headers) {
        Header header = headers.lastHeader(SEQUENCE);
        return header == null || header.value().length != Long.BYTES ? -1 : ByteBuffer.wrap(header.value()).getLong();
    }

    public static boolean redelivered(Headers headers) {
        return headers.lastHeader(REDELIVERY) != null;
    }
}
