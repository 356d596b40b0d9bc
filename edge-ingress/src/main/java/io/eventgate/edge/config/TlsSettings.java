package io.eventgate.edge.config;

import io.eventgate.policy.model.Check;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS on the client port: the server's key and certificate chain ({@code keyStore}, PKCS#12), and for client
 * certificates (mTLS) the CAs whose certificates are accepted ({@code clientCas}, a PEM bundle) and whether a
 * client must present one ({@code clientAuth}: none, optional, required). Consumers are mapped from their
 * certificate by subject or subject alternative name ({@code consumers.ID.certificates}).
 */
public record TlsSettings(Path keyStore, String keyStorePassword, Path clientCas, String clientAuth) {
    public TlsSettings {
        Check.required(keyStore, "tls.keyStore");
        Check.required(keyStorePassword, "tls.keyStorePassword");
        if (!Files.isReadable(keyStore)) {
            throw new IllegalArgumentException("tls.keyStore " + keyStore + " cannot be read");
        }
        clientAuth = clientAuth == null ? "none" : clientAuth.toLowerCase(Locale.ROOT);
        if (!clientAuth.equals("none") && !clientAuth.equals("optional") && !clientAuth.equals("required")) {
            throw new IllegalArgumentException("tls.clientAuth must be none, optional or required, was " + clientAuth);
        }
        if (!clientAuth.equals("none") && (clientCas == null || !Files.isReadable(clientCas))) {
            throw new IllegalArgumentException("tls.clientCas must name a readable PEM file of the CAs that sign client certificates");
        }
    }

    /** The server's SSL context: its key, and trust in the client CAs only. */
    public SSLContext sslContext() {
        try (InputStream keys = Files.newInputStream(keyStore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(keys, keyStorePassword.toCharArray());
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(store, keyStorePassword.toCharArray());
            TrustManagerFactory trustManagers = null;
            if (clientCas != null) {
                KeyStore trusted = KeyStore.getInstance("PKCS12");
                trusted.load(null, null);
                try (InputStream pem = Files.newInputStream(clientCas)) {
                    int i = 0;
                    for (Certificate ca : CertificateFactory.getInstance("X.509").generateCertificates(pem)) {
                        trusted.setCertificateEntry("client-ca-" + i++, ca);
                    }
                }
                trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trustManagers.init(trusted);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), trustManagers == null ? null : trustManagers.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("tls: cannot load " + keyStore + (clientCas == null ? "" : " or " + clientCas) + ": " + e.getMessage(), e);
        }
    }
}
