package io.eventgate.schemas.serde;

import io.eventgate.schemas.Topic;
import io.eventgate.schemas.registry.SchemaRegistryClient;
import java.util.Map;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** The serializer and deserializer of one contract value type, sharing one registry client. */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {
    private final AvroSerializer<T> serializer;
    private final AvroDeserializer<T> deserializer;

    public AvroSerde(Class<T> type, SchemaRegistryClient registry, SerdeSettings settings) {
        this.serializer = new AvroSerializer<>(registry, settings);
        this.deserializer = new AvroDeserializer<>(SpecificData.get().getSchema(type), registry);
    }

    /** The serde of a contract topic's value type. */
    @SuppressWarnings("unchecked")
    public static <T extends SpecificRecord> AvroSerde<T> forTopic(Topic topic, SchemaRegistryClient registry, SerdeSettings settings) {
        return new AvroSerde<>((Class<T>) topic.valueType(), registry, settings);
    }

    /** A serde configured from Kafka-style properties ({@code schema.registry.url}, ...). */
    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type, Map<String, ?> configs) {
        SerdeSettings settings = SerdeSettings.from(configs);
        return new AvroSerde<>(type, SchemaRegistryClient.of(settings.registryUrl()), settings);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // already configured at construction: Streams calls this with the app's configs, which change nothing here
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }
}
