package io.eventgate.analytics;

import java.nio.file.Path;
import java.time.Duration;

/** Where analytics-streams reads and writes, where it keeps state, and how late an event may be. */
public record AnalyticsSettings(String applicationId, String bootstrapServers, String schemaRegistryUrl, String topicPrefix,
                                Path stateDir, Duration grace) {
    public AnalyticsSettings {
        applicationId = applicationId == null || applicationId.isBlank() ? "eventgate-analytics-streams" : applicationId;
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
        grace = grace == null ? Duration.ofSeconds(30) : grace;
    }

    public AnalyticsSettings withAddresses(String bootstrap, String registry) {
        return new AnalyticsSettings(applicationId, bootstrap, registry, topicPrefix, stateDir, grace);
    }

    public String deadLetterTopic() {
        return topicPrefix + "analytics-streams.dead-letters";
    }
}
