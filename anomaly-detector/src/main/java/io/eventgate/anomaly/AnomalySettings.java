package io.eventgate.anomaly;

import io.eventgate.policy.model.DetectorSettings;
import java.nio.file.Path;
import java.time.Duration;
import io.eventgate.policy.model.DetectorTuning;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The anomaly detector's settings: where it runs, the window every detector measures, and how each detector
 * judges and acts. The top-level {@code sensitivity}, {@code minimumExcess}, {@code warmupWindows},
 * {@code throttle} and {@code throttleFactor} are those of the per-consumer request rate; {@code detectors}
 * tunes the others by name ({@code routeRate}, {@code routeErrors}, {@code upstreamErrors},
 * {@code authFailures}, {@code scanning}, {@code latency}), each field defaulting to the detector's own.
 * Directives lapse {@code directiveTtl} after the last anomalous window. Scopes on the allow-list (a consumer
 * id, or {@code client:IP}, {@code route:ID}) are reported, never acted on; {@code enabled: false} stops
 * every response at once. Prometheus reads the settings in force and the detections on {@code metricsPort}.
 */
public record AnomalySettings(String applicationId, String bootstrapServers, String schemaRegistryUrl, String topicPrefix, Path stateDir,
                              Duration window, Double sensitivity, Integer minimumExcess, Integer warmupWindows, Boolean throttle,
                              Double throttleFactor, Duration directiveTtl, List<String> allowList, Map<String, DetectorSettings> detectors,
                              Boolean enabled, Integer metricsPort) {
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
        window = window == null ? Duration.ofSeconds(5) : window;
        if (window.toMillis() < 1000 || window.toMillis() % 1000 != 0) {
            throw new IllegalArgumentException("window must be whole seconds, at least 1s, was " + window);
        }
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
        detectors = Map.copyOf(detectors == null ? Map.of() : detectors);
        for (var entry : detectors.entrySet()) {
            DetectorTuning.check(entry.getKey(), entry.getValue());
            if (entry.getKey().equals(Detector.CONSUMER_RATE.settingName())) {
                throw new IllegalArgumentException("consumerRate is tuned by the top-level sensitivity, minimumExcess, warmupWindows, throttle and throttleFactor");
            }
        }
        enabled = enabled == null ? Boolean.TRUE : enabled;
        metricsPort = metricsPort == null ? 9903 : metricsPort;
        if (metricsPort < 0 || metricsPort > 65535) {
            throw new IllegalArgumentException("metricsPort must be 0 to 65535, was " + metricsPort);
        }
    }

    public AnomalySettings(String applicationId, String bootstrapServers, String schemaRegistryUrl, String topicPrefix, Path stateDir,
                           Duration window, Double sensitivity, Integer minimumExcess, Integer warmupWindows, Boolean throttle,
                           Double throttleFactor, Duration directiveTtl, List<String> allowList) {
        this(applicationId, bootstrapServers, schemaRegistryUrl, topicPrefix, stateDir, window, sensitivity, minimumExcess, warmupWindows, throttle,
                throttleFactor, directiveTtl, allowList, null, null, null);
    }

    public AnomalySettings withAddresses(String bootstrap, String registry) {
        return new AnomalySettings(applicationId, bootstrap, registry, topicPrefix, stateDir, window, sensitivity, minimumExcess,
                warmupWindows, throttle, throttleFactor, directiveTtl, allowList, detectors, enabled, metricsPort);
    }

    /** Every detector's settings in force: the operators' tuning (may be null) over these settings over the detector's defaults. */
    public Map<Detector, DetectorSettings> inForce(DetectorTuning tuning) {
        Map<Detector, DetectorSettings> all = new EnumMap<>(Detector.class);
        for (Detector detector : Detector.values()) {
            DetectorSettings own = detector == Detector.CONSUMER_RATE
                    ? new DetectorSettings(true, sensitivity, (double) minimumExcess, warmupWindows, throttle, throttleFactor, null)
                    : detectors.getOrDefault(detector.settingName(), DetectorSettings.unset());
            DetectorSettings tuned = tuning == null ? DetectorSettings.unset() : tuning.detectors().getOrDefault(detector.settingName(), DetectorSettings.unset());
            all.put(detector, tuned.over(own.over(detector.defaults())));
        }
        return all;
    }

    /** Whether responses are on: the operators' switch when they set it, else {@code enabled}. */
    public boolean respondsUnder(DetectorTuning tuning) {
        return tuning == null || tuning.enabled() == null ? enabled : tuning.enabled();
    }

    /** Scopes never acted on: these settings' and the operators'. */
    public Set<String> allowListUnder(DetectorTuning tuning) {
        Set<String> all = new HashSet<>(allowList);
        if (tuning != null) {
            all.addAll(tuning.allowList());
        }
        return all;
    }

    public String deadLetterTopic() {
        return topicPrefix + "anomaly-detector.dead-letters";
    }
}
