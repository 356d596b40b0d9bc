package io.eventgate.edge.auth;

import io.eventgate.edge.pipeline.Exchange;

/** One way a caller proves who it is: an API key, HTTP Basic, a JWT, an introspected token. */
public interface Authenticator {
    Identification identify(Exchange exchange);

    /** This scheme's {@code WWW-Authenticate} challenge. */
    String challenge();

    /** The bearer token of an {@code Authorization: Bearer} header, or null. */
    static String bearer(Exchange exchange) {
        String authorization = exchange.header("Authorization");
        return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7) ? authorization.substring(7).trim() : null;
    }
}
