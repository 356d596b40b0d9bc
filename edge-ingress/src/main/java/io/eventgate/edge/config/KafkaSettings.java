package io.eventgate.edge.config;

import io.eventgate.policy.model.Check;

/** Where the edge publishes its events and reads its policies. */
public record KafkaSettings(String bootstrapServers, String schemaRegistryUrl, String topicPrefix) {
    public KafkaSettings {
        Check.required(bootstrapServers, "bootstrapServers");
        Check.required(schemaRegistryUrl, "schemaRegistryUrl");
        topicPrefix = Check.orDefault(topicPrefix, "gateway.");
    }

    public KafkaSettings withAddresses(String bootstrap, String registry) {
        return new KafkaSettings(bootstrap, registry, topicPrefix);
    }
}
