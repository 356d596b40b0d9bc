package io.eventgate.edge.auth;

import io.eventgate.edge.pipeline.Exchange;
import java.util.Optional;

/** An API key in the configured header, matched against the consumers' key hashes of the snapshot in force. */
final class ApiKeyAuthenticator implements Authenticator {
    private final String header;

    ApiKeyAuthenticator(String header) {
        this.header = header;
    }

    @Override
    public Identification identify(Exchange exchange) {
        String presented = exchange.header(header);
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
}
