package io.eventgate.edge.config;

import io.eventgate.policy.model.Check;
import java.net.URI;
import java.time.Duration;

/**
 * Opaque bearer tokens, checked with the authorization server's token introspection endpoint (RFC 7662) with
 * this gateway's client credentials; an answer is kept for {@code cacheTtl} (never past the token's expiry).
 * The consumer is named by {@code consumerField} of the answer ({@code sub} by default, or e.g. {@code client_id}).
 * The endpoint is reached over https only (the gateway's client secret and every token travel to it, and its answer
 * admits callers); plain http takes {@code allowInsecureHttp: true}.
 */
public record IntrospectionSettings(String url, String clientId, String clientSecret, String consumerField, Duration cacheTtl, Duration timeout,
                                    boolean allowInsecureHttp) {
    public IntrospectionSettings(String url, String clientId, String clientSecret, String consumerField, Duration cacheTtl, Duration timeout) {
        this(url, clientId, clientSecret, consumerField, cacheTtl, timeout, false);
    }

    public IntrospectionSettings {
        Check.required(url, "introspection.url");
        String scheme = URI.create(url).getScheme();
        if (!"https".equals(scheme) && !"http".equals(scheme)) {
            throw new IllegalArgumentException("introspection.url must be an https URL, was " + url);
        }
        if ("http".equals(scheme) && !allowInsecureHttp) {
            throw new IllegalArgumentException("introspection.url must be https: the gateway's client secret and every token go to it, and its"
                    + " answer admits callers; set introspection.allowInsecureHttp: true only on a trusted network, was " + url);
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
