package io.eventgate.policy.model;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The anomaly detector's tuning as operators send it through the control topic (entity
 * {@code detectors:anomaly}): the off switch for every response, scopes never acted on (added to those of
 * the detector's own settings), and per detector any field of {@link DetectorSettings}. What is not set here
 * keeps the detector's own setting.
 */
public record DetectorTuning(Boolean enabled, List<String> allowList, Map<String, DetectorSettings> detectors) {
    /** The detectors by name. */
    public static final List<String> DETECTORS = List.of("consumerRate", "routeRate", "routeErrors", "upstreamErrors", "authFailures", "credentialFailures",
            "scanning", "latency", "canary");
    /** The detectors that only report: they have no response to switch on. */
    public static final Set<String> REPORT_ONLY = Set.of("routeRate", "upstreamErrors", "credentialFailures", "latency");
    /** The one entity id the detector follows. */
    public static final String ENTITY_ID = "anomaly";

    public DetectorTuning {
        allowList = List.copyOf(allowList == null ? List.of() : allowList);
        detectors = Map.copyOf(detectors == null ? Map.of() : detectors);
        for (var entry : detectors.entrySet()) {
            check(entry.getKey(), entry.getValue());
        }
    }

    /** Refuses an unknown detector name, and {@code act} on a detector that only reports. */
    public static void check(String name, DetectorSettings settings) {
        if (!DETECTORS.contains(name)) {
            throw new IllegalArgumentException("no detector named '" + name + "'; the detectors are " + DETECTORS);
        }
        if (Boolean.TRUE.equals(settings.act()) && REPORT_ONLY.contains(name)) {
            throw new IllegalArgumentException("detectors." + name + ".act: this detector only reports");
        }
    }
}
