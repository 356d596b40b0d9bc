package io.eventgate.edge.config;

import java.net.URI;
import java.util.Locale;

/**
 * Where the node's OpenTelemetry spans go: {@code none} (ids and propagation only), {@code logging} (one log
 * line per span), or {@code otlp} (batched to an OpenTelemetry collector's OTLP/HTTP {@code endpoint}).
 */
public record TracingSettings(String exporter, String endpoint) {
    public TracingSettings {
        exporter = exporter == null ? "none" : exporter.toLowerCase(Locale.ROOT);
        if (!exporter.equals("none") && !exporter.equals("logging") && !exporter.equals("otlp")) {
            throw new IllegalArgumentException("exporter must be none, logging or otlp, was " + exporter);
        }
        endpoint = endpoint == null || endpoint.isBlank() ? "http://127.0.0.1:4318/v1/traces" : endpoint;
        URI uri;
        try {
            uri = URI.create(endpoint);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("endpoint '" + endpoint + "' is not a URL");
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("endpoint must be an http(s) URL of an OTLP/HTTP receiver, e.g. http://collector:4318/v1/traces, was " + endpoint);
        }
    }

    public TracingSettings(String exporter) {
        this(exporter, null);
    }
}
