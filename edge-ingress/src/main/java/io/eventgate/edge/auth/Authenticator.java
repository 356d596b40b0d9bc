package io.eventgate.edge.auth;

import io.eventgate.edge.pipeline.Exchange;

/** One way a caller proves who it is: an API key, HTTP Basic, a JWT, an introspected token. */
public interface Authenticator {
    Identification identify(Exchange exchange);

    /** This scheme's {@code WWW-Authenticate} challenge. */
    String challenge();

    /** The scheme's name in a route's {@code access.methods}: apiKey, basic, jwt or introspection. */
    String method();

    /**
     * The request header (lower case) that carries this scheme's credential, kept from the upstream once it named the
     * consumer unless the route forwards credentials; null when the credential is no header of its own (a certificate),
     * or is always kept back (the API key header).
     */
    default String credentialHeader() {
        return "authorization";
    }

    /** The scopes of a token: a space-separated {@code scope} string, or a list (as in {@code scp}). */
    static java.util.Set<String> scopes(Object claim) {
        if (claim instanceof String text && !text.isBlank()) {
            return java.util.Set.of(text.trim().split("\\s+"));
        }
        if (claim instanceof java.util.Collection<?> list) {
            return list.stream().map(String::valueOf).collect(java.util.stream.Collectors.toUnmodifiableSet());
        }
        return java.util.Set.of();
    }

    /** The bearer token of an {@code Authorization: Bearer} header, or null. */
    static String bearer(Exchange exchange) {
        String authorization = exchange.header("Authorization");
        return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7) ? authorization.substring(7).trim() : null;
    }
}
