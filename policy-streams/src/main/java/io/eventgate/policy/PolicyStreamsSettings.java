package io.eventgate.policy;

import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;

/**
 * Where policy-streams reads and writes, where it keeps its state, the time zone that quota days and months follow,
 * and the port of its Prometheus metrics ({@code metricsPort}; none when unset, 0 for any free port).
 */
public record PolicyStreamsSettings(String applicationId, String bootstrapServers, String schemaRegistryUrl, String topicPrefix,
                                    Path stateDir, Boolean exactlyOnce, String quotaZone, Integer metricsPort) {
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
        quotaZone = quotaZone == null || quotaZone.isBlank() ? "UTC" : quotaZone;
        try {
            ZoneId.of(quotaZone);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("quotaZone '" + quotaZone + "' is not a time zone (write e.g. UTC or Europe/Berlin)");
        }
        if (metricsPort != null && (metricsPort < 0 || metricsPort > 65535)) {
            throw new IllegalArgumentException("metricsPort must be 0 to 65535, was " + metricsPort);
        }
    }

    public PolicyStreamsSettings(String applicationId, String bootstrapServers, String schemaRegistryUrl, String topicPrefix, Path stateDir,
                                 Boolean exactlyOnce, String quotaZone) {
        this(applicationId, bootstrapServers, schemaRegistryUrl, topicPrefix, stateDir, exactlyOnce, quotaZone, null);
    }

    public PolicyStreamsSettings(String applicationId, String bootstrapServers, String schemaRegistryUrl, String topicPrefix, Path stateDir,
                                 Boolean exactlyOnce) {
        this(applicationId, bootstrapServers, schemaRegistryUrl, topicPrefix, stateDir, exactlyOnce, null, null);
    }

    public ZoneId zone() {
        return ZoneId.of(quotaZone);
    }

    public PolicyStreamsSettings withAddresses(String bootstrap, String registry) {
        return new PolicyStreamsSettings(applicationId, bootstrap, registry, topicPrefix, stateDir, exactlyOnce, quotaZone, metricsPort);
    }

    /** Where records that cannot be decoded go, so the app keeps running. */
    public String deadLetterTopic() {
        return topicPrefix + "policy-streams.dead-letters";
    }
}
