package io.eventgate.anomaly;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The anomaly detector's settings: where it runs, how sensitive the rate-spike detection is, and whether and
 * how it throttles. A spike is a window whose request count exceeds the baseline mean by {@code sensitivity}
 * standard deviations (and by at least {@code minimumExcess} requests); with {@code throttle} on, the consumer
 * is capped at {@code throttleFactor} × its baseline rate until {@code directiveTtl} after the last spiking
 * window. Allow-listed consumers are reported, never throttled.
 */
public record AnomalySettings(String applicationId, String bootstrapServers, String schemaRegistryUrl, String topicPrefix, Path stateDir,
                              Duration window, Double sensitivity, Integer minimumExcess, Integer warmupWindows, Boolean throttle,
                              Double throttleFactor, Duration directiveTtl, List<String> allowList) {
    public AnomalySettings {
        applicationId = applicationId == null || applicationId.isBlank() ? "eventgate-anomaly-detector" : applicationId;
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
        window = window == null ? Duration.ofSeconds(10) : window;
        sensitivity = sensitivity == null ? 4.0 : sensitivity;
        if (sensitivity <= 0) {
            throw new IllegalArgumentException("sensitivity must be above 0 standard deviations, was " + sensitivity);
        }
        minimumExcess = minimumExcess == null ? 20 : minimumExcess;
        warmupWindows = warmupWindows == null ? 6 : warmupWindows;
        throttle = throttle == null ? Boolean.TRUE : throttle;
        throttleFactor = throttleFactor == null ? 2.0 : throttleFactor;
        if (throttleFactor < 1) {
            throw new IllegalArgumentException("throttleFactor must be at least 1 (a cap below the baseline would punish normal traffic), was " + throttleFactor);
        }
        directiveTtl = directiveTtl == null ? Duration.ofMinutes(1) : directiveTtl;
        allowList = List.copyOf(allowList == null ? List.of() : allowList);
    }

    public AnomalySettings withAddresses(String bootstrap, String registry) {
        return new AnomalySettings(applicationId, bootstrap, registry, topicPrefix, stateDir, window, sensitivity, minimumExcess,
                warmupWindows, throttle, throttleFactor, directiveTtl, allowList);
    }

    public String deadLetterTopic() {
        return topicPrefix + "anomaly-detector.dead-letters";
    }
}
