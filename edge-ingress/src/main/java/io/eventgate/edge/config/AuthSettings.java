package io.eventgate.edge.config;

/** Where callers present their API key: the header name (default {@code X-API-Key}). */
public record AuthSettings(String apiKeyHeader) {
    public AuthSettings {
        apiKeyHeader = apiKeyHeader == null || apiKeyHeader.isBlank() ? "X-API-Key" : apiKeyHeader;
    }
}
