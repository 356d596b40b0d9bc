package io.eventgate.schemas.serde;

import io.eventgate.schemas.Topic;
import io.eventgate.schemas.registry.SchemaRegistryClient;
import java.util.EnumMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** The serde of every contract topic's values, sharing one registry client: what every streams app uses. */
public final class ContractSerdes {
    private final SchemaRegistryClient registry;
    private final SerdeSettings settings;
    private final Map<Topic, AvroSerde<?>> serdes = new EnumMap<>(Topic.class);

    public ContractSerdes(SchemaRegistryClient registry, SerdeSettings settings) {
        this.registry = registry;
        this.settings = settings;
    }

    /** Serdes that register schemas as they first write, against the registry at {@code registryUrl}. */
    public static ContractSerdes of(String registryUrl) {
        return new ContractSerdes(SchemaRegistryClient.of(registryUrl), new SerdeSettings(registryUrl, true, false, true));
    }

    @SuppressWarnings("unchecked")
    public synchronized <T extends SpecificRecord> AvroSerde<T> serde(Topic topic) {
        return (AvroSerde<T>) serdes.computeIfAbsent(topic, t -> AvroSerde.forTopic(t, registry, settings));
    }

    public SchemaRegistryClient registry() {
        return registry;
    }
}
