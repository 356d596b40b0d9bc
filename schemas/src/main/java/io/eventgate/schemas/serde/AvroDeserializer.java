package io.eventgate.schemas.serde;

import io.eventgate.schemas.TrustedContractClasses;
import io.eventgate.schemas.registry.SchemaRegistryClient;
import io.eventgate.schemas.registry.SchemaRegistryException;
import java.io.EOFException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent wire-format values: the writer's schema is fetched from the registry by the id in
 * the header (and cached), then resolved against the reader's schema, so records written with an
 * older or newer compatible schema decode. A bad payload raises {@link EventDecodingException};
 * only a tombstone (null bytes) yields null.
 *
 * <p>The reader type is the class given to the constructor; without one, {@code specific.avro.reader=true}
 * picks the generated class named by the writer's schema, and otherwise values are GenericRecords.
 */
public final class AvroDeserializer<T> implements Deserializer<T> {
    static {
        TrustedContractClasses.install();
    }

    private final Schema expectedSchema;
    private SchemaRegistryClient registry;
    private boolean specificReader;
    private final Map<Integer, DatumReader<T>> readersBySchemaId = new ConcurrentHashMap<>();

    /** For Kafka's reflective construction; {@link #configure} must follow. */
    public AvroDeserializer() {
        this.expectedSchema = null;
    }

    public AvroDeserializer(Schema expectedSchema, SchemaRegistryClient registry) {
        this.expectedSchema = expectedSchema;
        this.registry = registry;
        this.specificReader = true;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        SerdeSettings settings = SerdeSettings.from(configs);
        this.registry = SchemaRegistryClient.of(settings.registryUrl());
        this.specificReader = expectedSchema != null || settings.specificAvroReader();
    }

    @Override
    public T deserialize(String topic, byte[] payload) {
        if (payload == null) {
            return null; // tombstone on a compacted topic: a deletion, not a decoding failure
        }
        int schemaId = WireFormat.readSchemaId(payload, topic);
        DatumReader<T> reader = readersBySchemaId.computeIfAbsent(schemaId, id -> readerFor(topic, id));
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(payload, WireFormat.HEADER_LENGTH, payload.length - WireFormat.HEADER_LENGTH, null);
        T value;
        try {
            value = reader.read(null, decoder);
        } catch (EOFException e) {
            throw new EventDecodingException(topic, EventDecodingException.Reason.TRUNCATED, schemaId,
                    "the Avro body ends early (" + (payload.length - WireFormat.HEADER_LENGTH) + " body bytes)", e);
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new EventDecodingException(topic, EventDecodingException.Reason.MALFORMED_BODY, schemaId,
                    "the Avro body does not decode under its writer schema: " + e, e);
        }
        try {
            if (!decoder.isEnd()) {
                throw new EventDecodingException(topic, EventDecodingException.Reason.MALFORMED_BODY, schemaId,
                        "bytes are left over after the record: the body was not written with this schema", null);
            }
        } catch (IOException e) {
            throw new EventDecodingException(topic, EventDecodingException.Reason.MALFORMED_BODY, schemaId, e.toString(), e);
        }
        return value;
    }

    private DatumReader<T> readerFor(String topic, int schemaId) {
        Schema writer;
        try {
            writer = registry.schemaById(schemaId);
        } catch (SchemaRegistryException e) {
            EventDecodingException.Reason reason = e.httpStatus() == 404
                    ? EventDecodingException.Reason.UNKNOWN_SCHEMA_ID
                    : EventDecodingException.Reason.REGISTRY_UNAVAILABLE;
            throw new EventDecodingException(topic, reason, schemaId, e.getMessage(), e);
        }
        Schema reader = readerSchema(writer);
        SchemaCompatibility.SchemaPairCompatibility compatibility = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new EventDecodingException(topic, EventDecodingException.Reason.INCOMPATIBLE_SCHEMA, schemaId,
                    "written as " + writer.getFullName() + ", which cannot be read as " + reader.getFullName() + ": "
                            + compatibility.getResult().getIncompatibilities(), null);
        }
        return specificReader
                ? new SpecificDatumReader<>(writer, reader, SpecificData.getForSchema(reader))
                : new GenericDatumReader<>(writer, reader);
    }

    private Schema readerSchema(Schema writer) {
        if (expectedSchema != null) {
            return expectedSchema;
        }
        if (specificReader) {
            Class<?> generated = SpecificData.get().getClass(writer);
            if (generated != null) {
                return SpecificData.get().getSchema(generated);
            }
        }
        return writer;
    }
}
