package io.eventgate.schemas.serde;

import java.nio.ByteBuffer;

/**
 * Confluent's wire format: magic byte 0, the schema id as a 4-byte big-endian int, then the Avro binary
 * encoding of the value. Any Confluent-compatible consumer reads records framed this way.
 */
public final class WireFormat {
    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_LENGTH = 5;

    private WireFormat() {
    }

    /** Writes the 5-byte header for {@code schemaId} at the buffer's position. */
    public static void writeHeader(ByteBuffer buffer, int schemaId) {
        buffer.put(MAGIC_BYTE).putInt(schemaId);
    }

    /** The header's schema id, after checking the magic byte and the length. */
    public static int readSchemaId(byte[] payload, String topic) {
        if (payload.length < HEADER_LENGTH) {
            throw new EventDecodingException(topic, EventDecodingException.Reason.TRUNCATED, null,
                    "payload of " + payload.length + " bytes is shorter than the 5-byte wire-format header", null);
        }
        if (payload[0] != MAGIC_BYTE) {
            throw new EventDecodingException(topic, EventDecodingException.Reason.NOT_WIRE_FORMAT, null,
                    String.format("first byte is 0x%02x, not the wire format's magic byte 0x00", payload[0] & 0xff), null);
        }
        return ByteBuffer.wrap(payload, 1, 4).getInt();
    }
}
