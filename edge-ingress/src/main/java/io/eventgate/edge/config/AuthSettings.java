package io.eventgate.edge.config;

/**
 * How callers prove who they are: an API key in a header (default {@code X-API-Key}), HTTP Basic with a
 * consumer's id and password (consumers with a {@code passwordHash}), a JWT bearer token ({@code jwt}), or an
 * opaque bearer token checked by the authorization server's introspection endpoint ({@code introspection}).
 */
public record AuthSettings(String apiKeyHeader, JwtSettings jwt, IntrospectionSettings introspection) {
    public AuthSettings {
        apiKeyHeader = apiKeyHeader == null || apiKeyHeader.isBlank() ? "X-API-Key" : apiKeyHeader;
    }

    public AuthSettings(String apiKeyHeader) {
        this(apiKeyHeader, null, null);
    }
}
