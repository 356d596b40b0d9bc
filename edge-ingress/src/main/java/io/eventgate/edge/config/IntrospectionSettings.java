package io.eventgate.edge.config;

import io.eventgate.policy.model.Check;
import java.net.URI;
import java.time.Duration;

/**
 * Opaque bearer tokens, checked with the authorization server's token introspection endpoint (RFC 7662) with
 * this gateway's client credentials; an answer is kept for {@code cacheTtl} (never past the token's expiry).
 * The consumer is named by {@code consumerField} of the answer ({@code sub} by default, or e.g. {@code client_id}).
 */
public record IntrospectionSettings(String url, String clientId, String clientSecret, String consumerField, Duration cacheTtl, Duration timeout) {
    public IntrospectionSettings {
        Check.required(url, "introspection.url");
        String scheme = URI.create(url).getScheme();
        if (!"https".equals(scheme) && !"http".equals(scheme)) {
            throw new IllegalArgumentException("introspection.url must be an http(s) URL, was " + url);
        }
        Check.required(clientId, "introspection.clientId");
        Check.required(clientSecret, "introspection.clientSecret");
        consumerField = consumerField == null || consumerField.isBlank() ? "sub" : consumerField;
        cacheTtl = cacheTtl == null ? Duration.ofSeconds(30) : Check.positive(cacheTtl, "introspection.cacheTtl");
        if (cacheTtl.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("introspection.cacheTtl must be at most 5m: a revoked token must stop working soon");
        }
        timeout = timeout == null ? Duration.ofSeconds(2) : Check.positive(timeout, "introspection.timeout");
    }
}
