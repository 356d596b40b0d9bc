package io.eventgate.edge.upstream;

import io.eventgate.policy.model.PoolSettings;
import io.helidon.common.tls.Tls;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS towards a pool's instances: none for {@code http://} pools; for {@code https://} ones, the pool's own certificate
 * authorities when it names some, else the JVM's, and always the instance's host name (or address) checked against
 * its certificate.
 */
final class UpstreamTls {
    private static final Tls NONE = Tls.builder().enabled(false).build();

    private UpstreamTls() {
    }

    static Tls of(String pool, PoolSettings settings) {
        if (!settings.instances().getFirst().secure()) {
            return NONE;
        }
        try {
            SSLContext context;
            if (settings.tls() == null) {
                context = SSLContext.getDefault();
            } else {
                KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
                trusted.load(null, null);
                int n = 0;
                for (Certificate certificate : CertificateFactory.getInstance("X.509")
                        .generateCertificates(new ByteArrayInputStream(settings.tls().caCertificates().getBytes(StandardCharsets.US_ASCII)))) {
                    trusted.setCertificateEntry("ca-" + n++, certificate);
                }
                TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(trusted);
                context = SSLContext.getInstance("TLS");
                context.init(null, trust.getTrustManagers(), null);
            }
            return Tls.builder().sslContext(context).endpointIdentificationAlgorithm("HTTPS").build();
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalArgumentException("pool " + pool + ": tls.caCertificates cannot be used: " + e.getMessage(), e);
        }
    }
}
