package io.eventgate.edge.config;

/**
 * How callers prove who they are: an API key in a header (default {@code X-API-Key}) or, when
 * {@code apiKeyQuery} names one, a query parameter (the gateway removes it before proxying), HTTP Basic with a
 * consumer's id and password (consumers with a {@code passwordHash}), a JWT bearer token ({@code jwt}), or an
 * opaque bearer token checked by the authorization server's introspection endpoint ({@code introspection}).
 */
public record AuthSettings(String apiKeyHeader, String apiKeyQuery, JwtSettings jwt, IntrospectionSettings introspection) {
    public AuthSettings {
        apiKeyHeader = apiKeyHeader == null || apiKeyHeader.isBlank() ? "X-API-Key" : apiKeyHeader;
        if (apiKeyQuery != null && !apiKeyQuery.matches("[A-Za-z0-9._~-]{1,64}")) {
            throw new IllegalArgumentException("apiKeyQuery must be a query parameter name, was '" + apiKeyQuery + "'");
        }
    }

    public AuthSettings(String apiKeyHeader) {
        this(apiKeyHeader, null, null, null);
    }
}
