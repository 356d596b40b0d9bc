package io.eventgate.policy;

import java.nio.file.Path;

/** Where policy-streams reads and writes, and where it keeps its state. */
public record PolicyStreamsSettings(String applicationId, String bootstrapServers, String schemaRegistryUrl, String topicPrefix,
                                    Path stateDir, Boolean exactlyOnce) {
    public PolicyStreamsSettings {
        applicationId = applicationId == null || applicationId.isBlank() ? "eventgate-policy-streams" : applicationId;
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrapServers is required");
        }
        if (schemaRegistryUrl == null || schemaRegistryUrl.isBlank()) {
            throw new IllegalArgumentException("schemaRegistryUrl is required");
        }
        topicPrefix = topicPrefix == null ? "gateway." : topicPrefix;
        if (stateDir == null) {
            throw new IllegalArgumentException("stateDir is required");
        }
        exactlyOnce = exactlyOnce == null ? Boolean.TRUE : exactlyOnce;
    }

    public PolicyStreamsSettings withAddresses(String bootstrap, String registry) {
        return new PolicyStreamsSettings(applicationId, bootstrap, registry, topicPrefix, stateDir, exactlyOnce);
    }

    /** Where records that cannot be decoded go, so the app keeps running. */
    public String deadLetterTopic() {
        return topicPrefix + "policy-streams.dead-letters";
    }
}
