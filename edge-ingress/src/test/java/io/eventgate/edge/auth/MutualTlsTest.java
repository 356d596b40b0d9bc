package io.eventgate.edge.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventgate.demo.DemoUpstream;
import static io.eventgate.edge.TestCertificates.PASSWORD;
import static io.eventgate.edge.TestCertificates.issue;
import static io.eventgate.edge.TestCertificates.store;

import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.TestCertificates.Issued;
import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.edge.config.ServerSettings;
import io.eventgate.edge.config.TlsSettings;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.policy.model.ConsumerSettings;
import io.eventgate.policy.model.PlanSettings;
import io.eventgate.policy.model.RouteSettings;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** TLS on the client port with client certificates: a CA-signed certificate names its consumer by subject or by DNS name. */
@ExtendWith(KafkaExtension.class)
class MutualTlsTest {
    static SSLContext client(Issued identity, X509Certificate trusted) throws Exception {
        return client(identity, trusted, false);
    }

    /** {@code insist}: present the certificate even when the server asks for other issuers, as a forger would. */
    static SSLContext client(Issued identity, X509Certificate trusted, boolean insist) throws Exception {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(identity == null ? null : store(identity), PASSWORD);
        javax.net.ssl.KeyManager[] managers = keys.getKeyManagers();
        if (insist) {
            javax.net.ssl.X509ExtendedKeyManager real = (javax.net.ssl.X509ExtendedKeyManager) managers[0];
            managers = new javax.net.ssl.KeyManager[] {new javax.net.ssl.X509ExtendedKeyManager() {
                @Override
                public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
                    return new String[] {"key"};
                }

                @Override
                public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, java.net.Socket socket) {
                    return "key";
                }

                @Override
                public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers, javax.net.ssl.SSLEngine engine) {
                    return "key";
                }

                @Override
                public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
                    return null;
                }

                @Override
                public String chooseServerAlias(String keyType, java.security.Principal[] issuers, java.net.Socket socket) {
                    return null;
                }

                @Override
                public X509Certificate[] getCertificateChain(String alias) {
                    return real.getCertificateChain(alias);
                }

                @Override
                public java.security.PrivateKey getPrivateKey(String alias) {
                    return real.getPrivateKey(alias);
                }
            }};
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", trusted);
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(identity == null ? null : managers, trustManagers.getTrustManagers(), null);
        return context;
    }

    @Test
    void clientCertificatesNameConsumers(TestKafka kafka, @TempDir Path dir) throws Exception {
        Issued ca = issue("CN=eventgate test CA", null, true);
        Issued server = issue("CN=127.0.0.1", ca, false, new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        Issued acme = issue("CN=acme,O=Example", ca, false);
        Issued robot = issue("CN=robot-7", ca, false, new GeneralName(GeneralName.dNSName, "robot.example.com"));
        Issued stranger = issue("CN=stranger", ca, false);
        Issued selfSigned = issue("CN=acme,O=Example", null, false);

        Path keyStore = dir.resolve("server.p12");
        try (OutputStream out = Files.newOutputStream(keyStore)) {
            store(server, ca.certificate()).store(out, PASSWORD);
        }
        Path clientCas = dir.resolve("client-cas.pem");
        StringWriter pem = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
            writer.writeObject(ca.certificate());
        }
        Files.writeString(clientCas, pem.toString());

        try (DemoUpstream upstream = DemoUpstream.start("127.0.0.1", 0)) {
            RouteSettings api = new RouteSettings("api", new RouteSettings.Match(null, List.of("/api/**"), null, null),
                    List.of(new RouteSettings.Destination("demo", 100)), "/api", "/echo", null, null, null, false);
            EdgeSettings base = EdgeFixture.settings(kafka, dir.resolve("journal"), Map.of("demo", EdgeFixture.pool(upstream.url())), List.of(api));
            ServerSettings plain = base.server();
            EdgeSettings settings = base.withServer(new ServerSettings(plain.host(), 0, 0, plain.maxHeaderBytes(), plain.maxUriBytes(), plain.maxBodyBytes(),
                            plain.idleTimeout(), plain.trustedProxies(), false, new TlsSettings(keyStore, "changeit", clientCas, "optional")))
                    .withConsumers(Map.of("acme", new ConsumerSettings("gold", List.of(), null, null, List.of("CN=acme, O=Example")),
                                    "robot", new ConsumerSettings("gold", List.of(), null, null, List.of("dns:robot.example.com"))),
                            Map.of("gold", new PlanSettings(1000, 1000)));
            try (EdgeServer edge = EdgeServer.start(settings)) {
                URI uri = URI.create("https://127.0.0.1:" + edge.port() + "/api/who");
                assertThat(consumerSeenUpstream(client(acme, ca.certificate()), uri)).as("by subject").isEqualTo("acme");
                assertThat(consumerSeenUpstream(client(robot, ca.certificate()), uri)).as("by DNS name").isEqualTo("robot");
                assertThat(send(client(stranger, ca.certificate()), uri).statusCode()).as("a good certificate of no consumer").isEqualTo(401);
                assertThat(send(client(null, ca.certificate()), uri).statusCode()).as("no certificate, no other credential").isEqualTo(401);
                assertThat(send(client(selfSigned, ca.certificate()), uri).statusCode()).as("a client has nothing the server asks for").isEqualTo(401);
                assertThatThrownBy(() -> send(client(selfSigned, ca.certificate(), true), uri)).as("a certificate no client CA signed, presented anyway")
                        .isInstanceOf(IOException.class);
            }
        }
    }

    static HttpResponse<String> send(SSLContext context, URI uri) throws Exception {
        try (HttpClient http = HttpClient.newBuilder().sslContext(context).version(HttpClient.Version.HTTP_1_1).build()) {
            return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    static String consumerSeenUpstream(SSLContext context, URI uri) throws Exception {
        HttpResponse<String> response = send(context, uri);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new ObjectMapper().readTree(response.body()).path("headers").path("x-consumer-id").path(0).asText();
    }
}
