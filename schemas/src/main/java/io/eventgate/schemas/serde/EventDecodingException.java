package io.eventgate.schemas.serde;

import java.util.OptionalInt;
import java.util.OptionalLong;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A record value that cannot be decoded, with the topic, the partition and offset where known, the
 * schema id where one was read, and why. Thrown instead of ever returning null for a bad payload.
 */
public final class EventDecodingException extends SerializationException {
    /** Why decoding failed. */
    public enum Reason {
        /** The first byte is not the wire format's magic byte. */
        NOT_WIRE_FORMAT,
        /** The payload ends before the header or the Avro body does. */
        TRUNCATED,
        /** The registry has no schema with the header's id. */
        UNKNOWN_SCHEMA_ID,
        /** The writer's schema cannot be read as the expected type (bytes of another schema). */
        INCOMPATIBLE_SCHEMA,
        /** The body does not decode under its own writer schema, or leaves bytes over. */
        MALFORMED_BODY,
        /** The registry could not be asked for the writer's schema. */
        REGISTRY_UNAVAILABLE
    }

    private final String topic;
    private final Reason reason;
    private final Integer schemaId;
    private final int partition;
    private final long offset;
    private final String detail;

    public EventDecodingException(String topic, Reason reason, Integer schemaId, String detail, Throwable cause) {
        this(topic, reason, schemaId, -1, -1L, detail, cause);
    }

    private EventDecodingException(String topic, Reason reason, Integer schemaId, int partition, long offset, String detail, Throwable cause) {
        super(describe(topic, reason, schemaId, partition, offset, detail), cause);
        this.topic = topic;
        this.reason = reason;
        this.schemaId = schemaId;
        this.partition = partition;
        this.offset = offset;
        this.detail = detail;
    }

    /** The same failure, located at a partition and offset (known to the consumer, not to the deserializer). */
    public EventDecodingException at(int partition, long offset) {
        return new EventDecodingException(topic, reason, schemaId, partition, offset, detail, getCause());
    }

    public String topic() {
        return topic;
    }

    public Reason reason() {
        return reason;
    }

    public OptionalInt schemaId() {
        return schemaId == null ? OptionalInt.empty() : OptionalInt.of(schemaId);
    }

    public OptionalInt partition() {
        return partition < 0 ? OptionalInt.empty() : OptionalInt.of(partition);
    }

    public OptionalLong offset() {
        return offset < 0 ? OptionalLong.empty() : OptionalLong.of(offset);
    }

    private static String describe(String topic, Reason reason, Integer schemaId, int partition, long offset, String detail) {
        StringBuilder where = new StringBuilder("cannot decode value of topic '").append(topic).append('\'');
        if (partition >= 0) {
            where.append(" partition ").append(partition);
        }
        if (offset >= 0) {
            where.append(" offset ").append(offset);
        }
        if (schemaId != null) {
            where.append(" (schema id ").append(schemaId).append(')');
        }
        return where.append(": ").append(reason).append(": ").append(detail).toString();
    }
}
