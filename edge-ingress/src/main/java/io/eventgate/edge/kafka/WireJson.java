package io.eventgate.edge.kafka;

import io.eventgate.schemas.registry.SchemaRegistryClient;
import io.eventgate.schemas.serde.WireFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.DecoderFactory;

/** A record value in the Confluent wire format, as JSON: decoded with the schema its header names. */
final class WireJson {
    private WireJson() {
    }

    static String decode(byte[] value, String topic, SchemaRegistryClient registry) {
        Schema schema = registry.schemaById(WireFormat.readSchemaId(value, topic));
        try {
            Object datum = new GenericDatumReader<>(schema).read(null, DecoderFactory.get().binaryDecoder(value,
                    WireFormat.HEADER_LENGTH, value.length - WireFormat.HEADER_LENGTH, null));
            return GenericData.get().toString(datum);
        } catch (IOException | RuntimeException e) {
            throw new UncheckedIOException(new IOException("record of " + topic + " does not decode with schema " + schema.getFullName(), e));
        }
    }
}
