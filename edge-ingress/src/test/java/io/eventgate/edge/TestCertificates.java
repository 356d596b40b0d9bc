package io.eventgate.edge;

import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Certificate authorities and certificates made for a test (EC P-256, valid for a day), as key stores and PEM. */
public final class TestCertificates {
    public static final char[] PASSWORD = "changeit".toCharArray();

    private TestCertificates() {
    }

    /** A key pair and its certificate. */
    public record Issued(KeyPair keys, X509Certificate certificate) {
    }

    /** A certificate for {@code subject}, signed by {@code issuer} (self-signed when null), a CA or not, with these alternative names. */
    public static Issued issue(String subject, Issued issuer, boolean ca, GeneralName... alternativeNames) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        KeyPair keys = generator.generateKeyPair();
        X500Name name = X500Name.getInstance(new javax.security.auth.x500.X500Principal(subject).getEncoded()); // RFC 2253 order, as consumers write it
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer == null ? name : X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded()),
                BigInteger.valueOf(System.nanoTime()), Date.from(Instant.now().minusSeconds(60)), Date.from(Instant.now().plus(Duration.ofDays(1))),
                name, keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (alternativeNames.length > 0) {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alternativeNames));
        }
        var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuer == null ? keys.getPrivate() : issuer.keys().getPrivate());
        return new Issued(keys, new JcaX509CertificateConverter().getCertificate(builder.build(signer)));
    }

    /** A PKCS#12 store holding {@code issued}'s key under alias "key" (password {@link #PASSWORD}), with its chain. */
    public static KeyStore store(Issued issued, X509Certificate... chain) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        X509Certificate[] full = new X509Certificate[chain.length + 1];
        full[0] = issued.certificate();
        System.arraycopy(chain, 0, full, 1, chain.length);
        store.setKeyEntry("key", issued.keys().getPrivate(), PASSWORD, full);
        return store;
    }

    /** The certificates in PEM. */
    public static String pem(X509Certificate... certificates) throws Exception {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            for (X509Certificate certificate : certificates) {
                writer.writeObject(certificate);
            }
        }
        return text.toString();
    }
}
