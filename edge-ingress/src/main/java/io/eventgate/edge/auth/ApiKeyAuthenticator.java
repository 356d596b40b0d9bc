package io.eventgate.edge.auth;

import io.eventgate.edge.pipeline.Exchange;
import java.util.Optional;

/**
 * An API key in the configured header (or query parameter, which is then removed from what the upstream sees),
 * matched against the consumers' key hashes of the snapshot in force.
 */
final class ApiKeyAuthenticator implements Authenticator {
    private final String header;
    private final String query;

    ApiKeyAuthenticator(String header, String query) {
        this.header = header;
        this.query = query;
    }

    @Override
    public Identification identify(Exchange exchange) {
        String inHeader = exchange.header(header);
        String presented = inHeader != null && !inHeader.isEmpty() || query == null ? inHeader : exchange.queryParameter(query);
        if (query != null) {
            exchange.removeQueryParameter(query);
        }
        if (presented == null || presented.isEmpty()) {
            return Identification.ABSENT;
        }
        Optional<String> consumer = exchange.snapshot().apiKeys().consumerOf(presented);
        return consumer.<Identification>map(Identification.Identified::new)
                .orElseGet(() -> Identification.Refused.unauthenticated("the API key matches no consumer", ApiKeys.fingerprint(presented)));
    }

    @Override
    public String method() {
        return "apiKey";
    }

    @Override
    public String challenge() {
        return "ApiKey header=\"" + header + "\"";
    }

    @Override
    public String credentialHeader() {
        return null;
    }
}
