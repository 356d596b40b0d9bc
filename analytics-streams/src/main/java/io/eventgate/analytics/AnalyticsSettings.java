package io.eventgate.analytics;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Where analytics-streams reads and writes, where it keeps state, how late an event may be, and which status classes bill. */
public record AnalyticsSettings(String applicationId, String bootstrapServers, String schemaRegistryUrl, String topicPrefix,
                                Path stateDir, Duration grace, Duration usageGrace, List<Integer> billableStatusClasses) {
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
        usageGrace = usageGrace == null ? Duration.ofMinutes(10) : usageGrace;
        billableStatusClasses = List.copyOf(billableStatusClasses == null ? List.of(2, 3) : billableStatusClasses);
        for (int statusClass : billableStatusClasses) {
            if (statusClass < 1 || statusClass > 5) {
                throw new IllegalArgumentException("billableStatusClasses holds status classes 1 to 5 (2 for 2xx), found " + statusClass);
            }
        }
    }

    public AnalyticsSettings(String applicationId, String bootstrapServers, String schemaRegistryUrl, String topicPrefix, Path stateDir, Duration grace) {
        this(applicationId, bootstrapServers, schemaRegistryUrl, topicPrefix, stateDir, grace, null, null);
    }

    public AnalyticsSettings withAddresses(String bootstrap, String registry) {
        return new AnalyticsSettings(applicationId, bootstrap, registry, topicPrefix, stateDir, grace, usageGrace, billableStatusClasses);
    }

    public String deadLetterTopic() {
        return topicPrefix + "analytics-streams.dead-letters";
    }
}
