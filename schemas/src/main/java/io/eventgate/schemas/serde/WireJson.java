package io.eventgate.schemas.serde;

import io.eventgate.schemas.registry.SchemaRegistryClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.DecoderFactory;

/** A record value in the Confluent wire format, as JSON: decoded with the schema its header names. */
public final class WireJson {
    private WireJson() {
    }

    /** Readers by schema: a reader resolves its schema once, which costs more than reading a small record. */
    private static final java.util.Map<Schema, GenericDatumReader<Object>> READERS = new java.util.concurrent.ConcurrentHashMap<>();

    public static String decode(byte[] value, String topic, SchemaRegistryClient registry) {
        Schema schema = registry.schemaById(WireFormat.readSchemaId(value, topic));
        try {
            Object datum = READERS.computeIfAbsent(schema, GenericDatumReader::new).read(null, DecoderFactory.get().binaryDecoder(value,
                    WireFormat.HEADER_LENGTH, value.length - WireFormat.HEADER_LENGTH, null));
            return GenericData.get().toString(datum);
        } catch (IOException | RuntimeException e) {
            throw new UncheckedIOException(new IOException("record of " + topic + " does not decode with schema " + schema.getFullName(), e));
        }
    }
}
