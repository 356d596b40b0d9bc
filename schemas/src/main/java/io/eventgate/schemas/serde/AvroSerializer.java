package io.eventgate.schemas.serde;

import io.eventgate.schemas.TrustedContractClasses;
import io.eventgate.schemas.registry.RegisteredSchema;
import io.eventgate.schemas.registry.SchemaRegistryClient;
import io.eventgate.schemas.registry.SchemaRegistryException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serializes Avro records in the Confluent wire format under subject {@code <topic>-value}: the
 * schema is registered (auto.register.schemas=true, the default), taken as the subject's latest
 * version (use.latest.version=true), or must already be registered.
 */
public final class AvroSerializer<T extends GenericContainer> implements Serializer<T> {
    static {
        TrustedContractClasses.install();
    }

    private SchemaRegistryClient registry;
    private SerdeSettings settings;
    private final Map<String, WriterSchema> writerByTopicAndSchema = new ConcurrentHashMap<>();

    private record WriterSchema(int id, Schema schema) {
    }

    /** For Kafka's reflective construction; {@link #configure} must follow. */
    public AvroSerializer() {
    }

    public AvroSerializer(SchemaRegistryClient registry, SerdeSettings settings) {
        this.registry = registry;
        this.settings = settings;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (isKey) {
            throw new IllegalArgumentException("the contract's keys are strings: use StringSerializer for keys");
        }
        this.settings = SerdeSettings.from(configs);
        this.registry = SchemaRegistryClient.of(settings.registryUrl());
    }

    @Override
    public byte[] serialize(String topic, T value) {
        if (value == null) {
            return null; // tombstone
        }
        Schema schema = value.getSchema();
        WriterSchema writer = writerByTopicAndSchema.computeIfAbsent(topic + '\u0000' + schema.getFullName(), k -> resolveWriter(topic, schema));
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        ByteBuffer header = ByteBuffer.allocate(WireFormat.HEADER_LENGTH);
        WireFormat.writeHeader(header, writer.id());
        out.writeBytes(header.array());
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            new SpecificDatumWriter<T>(writer.schema(), SpecificData.getForSchema(writer.schema())).write(value, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot encode " + schema.getFullName() + " for topic '" + topic + "' with schema id " + writer.id() + ": " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    private WriterSchema resolveWriter(String topic, Schema schema) {
        String subject = topic + "-value";
        try {
            if (settings.autoRegisterSchemas()) {
                return new WriterSchema(registry.register(subject, schema), schema);
            }
            if (settings.useLatestVersion()) {
                RegisteredSchema latest = registry.latest(subject);
                return new WriterSchema(latest.id(), latest.schema());
            }
            return registry.lookup(subject, schema)
                    .map(r -> new WriterSchema(r.id(), schema))
                    .orElseThrow(() -> new SerializationException("schema " + schema.getFullName() + " is not registered under subject '"
                            + subject + "' and auto.register.schemas is false"));
        } catch (SchemaRegistryException e) {
            throw new SerializationException("cannot resolve the schema id of subject '" + subject + "': " + e.getMessage(), e);
        }
    }
}
