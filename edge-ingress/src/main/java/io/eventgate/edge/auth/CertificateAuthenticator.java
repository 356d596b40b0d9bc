package io.eventgate.edge.auth;

import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.snapshot.Snapshot;
import io.eventgate.policy.model.ConsumerSettings;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;

/**
 * Mutual TLS: the client certificate (already verified against the client CAs during the handshake) names
 * the consumer whose {@code certificates} list its subject or one of its alternative names. The index of
 * identities is built once per snapshot.
 */
final class CertificateAuthenticator implements Authenticator {
    private record Index(Snapshot snapshot, Map<String, String> consumers) {
    }

    private volatile Index index = new Index(null, Map.of());

    @Override
    public Identification identify(Exchange exchange) {
        Optional<X509Certificate> presented = exchange.client().clientCertificate();
        if (presented.isEmpty()) {
            return Identification.ABSENT;
        }
        Map<String, String> consumers = indexOf(exchange.snapshot());
        for (String identity : identities(presented.get())) {
            String consumer = consumers.get(identity);
            if (consumer != null) {
                return new Identification.Identified(consumer);
            }
        }
        return Identification.Refused.unauthenticated("the client certificate " + presented.get().getSubjectX500Principal() + " names no consumer",
                ApiKeys.fingerprint("cert", presented.get().getSubjectX500Principal().getName()));
    }

    private Map<String, String> indexOf(Snapshot snapshot) {
        Index current = index;
        if (current.snapshot() != snapshot) {
            Map<String, String> consumers = new HashMap<>();
            snapshot.settings().consumers().forEach((id, consumer) ->
                    consumer.certificates().forEach(written -> consumers.put(ConsumerSettings.certificateIdentity(written), id)));
            current = new Index(snapshot, Map.copyOf(consumers));
            index = current;
        }
        return current.consumers();
    }

    /** The subject in RFC 2253 form, then each DNS, URI and e-mail alternative name. */
    static List<String> identities(X509Certificate certificate) {
        List<String> identities = new ArrayList<>();
        identities.add(certificate.getSubjectX500Principal().getName(X500Principal.RFC2253));
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> name : names) {
                    String prefix = switch ((Integer) name.get(0)) {
                        case 1 -> "email:";
                        case 2 -> "dns:";
                        case 6 -> "uri:";
                        default -> null;
                    };
                    if (prefix != null) {
                        identities.add(prefix + name.get(1));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // the subject alone still identifies
        }
        return identities;
    }

    @Override
    public String method() {
        return "mtls";
    }

    @Override
    public String challenge() {
        return "";
    }

    @Override
    public String credentialHeader() {
        return null;
    }
}
