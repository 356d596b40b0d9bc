package io.eventgate.schemas.serde;

import io.eventgate.schemas.registry.SchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * Generic records of topics outside the contract (API clients' own topics) in the Confluent wire format: written under
 * a schema id the caller knows, read with the schema their header names, or read straight to JSON.
 */
public final class WireRecords {
    /** Writers and readers by schema: each resolves its schema once, which costs more than a small record. */
    private static final Map<Schema, GenericDatumWriter<GenericRecord>> WRITERS = new ConcurrentHashMap<>();
    private static final Map<Schema, GenericDatumReader<Object>> READERS = new ConcurrentHashMap<>();

    private WireRecords() {
    }

    /** The record in the wire format: magic byte, {@code schemaId}, Avro binary. */
    public static byte[] encode(GenericRecord value, int schemaId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        ByteBuffer header = ByteBuffer.allocate(WireFormat.HEADER_LENGTH);
        WireFormat.writeHeader(header, schemaId);
        out.write(header.array(), 0, WireFormat.HEADER_LENGTH);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            WRITERS.computeIfAbsent(value.getSchema(), GenericDatumWriter::new).write(value, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The value a record of {@code topic} holds, read with the schema its header names. */
    public static Object decode(byte[] value, String topic, SchemaRegistryClient registry) {
        Schema schema = registry.schemaById(WireFormat.readSchemaId(value, topic));
        try {
            return READERS.computeIfAbsent(schema, GenericDatumReader::new).read(null, DecoderFactory.get().binaryDecoder(value,
                    WireFormat.HEADER_LENGTH, value.length - WireFormat.HEADER_LENGTH, null));
        } catch (IOException | RuntimeException e) {
            throw new UncheckedIOException(new IOException("record of " + topic + " does not decode with schema " + schema.getFullName(), e));
        }
    }

    /** The same value as JSON. */
    public static String json(byte[] value, String topic, SchemaRegistryClient registry) {
        return GenericData.get().toString(decode(value, topic, registry));
    }
}
