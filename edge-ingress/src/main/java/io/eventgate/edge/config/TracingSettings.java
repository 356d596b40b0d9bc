package io.eventgate.edge.config;

import java.util.Locale;

/** Where the node's OpenTelemetry spans go: {@code none} (ids and propagation only) or {@code logging} (one log line per span). */
public record TracingSettings(String exporter) {
    public TracingSettings {
        exporter = exporter == null ? "none" : exporter.toLowerCase(Locale.ROOT);
        if (!exporter.equals("none") && !exporter.equals("logging")) {
            throw new IllegalArgumentException("exporter must be none or logging, was " + exporter);
        }
    }
}
