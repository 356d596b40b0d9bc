package io.eventgate.analytics;

import io.eventgate.analytics.query.QuerySettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Where analytics-streams reads and writes, where it keeps state, how late an event may be, which status
 * classes bill, how long windows stay queryable, and where the query API listens.
 */
public record AnalyticsSettings(String applicationId, String bootstrapServers, String schemaRegistryUrl, String topicPrefix,
                                Path stateDir, Duration grace, Duration usageGrace, List<Integer> billableStatusClasses,
                                Duration retention, QuerySettings query) {
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
        retention = retention == null ? Duration.ofDays(7) : retention;
        if (retention.compareTo(Duration.ofHours(1)) < 0) {
            throw new IllegalArgumentException("retention must be at least 1h (the query API reads hourly windows), found " + retention);
        }
        query = query == null ? new QuerySettings(null, null, null) : query;
    }

    public AnalyticsSettings(String applicationId, String bootstrapServers, String schemaRegistryUrl, String topicPrefix, Path stateDir, Duration grace) {
        this(applicationId, bootstrapServers, schemaRegistryUrl, topicPrefix, stateDir, grace, null, null, null, null);
    }

    public AnalyticsSettings withAddresses(String bootstrap, String registry) {
        return new AnalyticsSettings(applicationId, bootstrap, registry, topicPrefix, stateDir, grace, usageGrace, billableStatusClasses, retention, query);
    }

    public AnalyticsSettings withQuery(QuerySettings newQuery) {
        return new AnalyticsSettings(applicationId, bootstrapServers, schemaRegistryUrl, topicPrefix, stateDir, grace, usageGrace, billableStatusClasses,
                retention, newQuery);
    }

    public String deadLetterTopic() {
        return topicPrefix + "analytics-streams.dead-letters";
    }
}
