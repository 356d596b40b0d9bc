package io.eventgate.edge.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.TestCertificates;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.policy.model.PoolSettings;
import io.eventgate.policy.model.RouteSettings;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** https:// pools: requests and WebSocket sessions (wss://) go to the upstream over TLS, whose certificate is verified. */
@ExtendWith(KafkaExtension.class)
class TlsUpstreamTest {
    final HttpClient http = HttpClient.newHttpClient();

    static WebServer tlsUpstream(TestCertificates.Issued server, TestCertificates.Issued ca) throws Exception {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(TestCertificates.store(server, ca.certificate()), TestCertificates.PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return WebServer.builder().host("127.0.0.1").port(0)
                .tls(tls -> tls.sslContext(context))
                .routing(r -> r.get("/hello", (req, res) -> res.send("hello over " + (req.isSecure() ? "TLS" : "plain TCP"))))
                .addRouting(WsRouting.builder().endpoint("/ws/echo", new WsListener() {
                    @Override
                    public void onMessage(WsSession session, String text, boolean last) {
                        session.send("secure " + text, last);
                    }
                }))
                .build().start();
    }

    static RouteSettings route(String id) {
        return new RouteSettings(id, new RouteSettings.Match(null, List.of("/" + id + "/**"), null, null),
                List.of(new RouteSettings.Destination(id, 100)), "/" + id, null, null, null, null);
    }

    @Test
    void httpsPoolsCarryRequestsAndWebSocketsOverVerifiedTls(TestKafka kafka, @TempDir Path dir) throws Exception {
        TestCertificates.Issued ca = TestCertificates.issue("CN=upstream test CA", null, true);
        TestCertificates.Issued server = TestCertificates.issue("CN=127.0.0.1", ca, false, new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        WebServer upstream = tlsUpstream(server, ca);
        try {
            String byAddress = "https://127.0.0.1:" + upstream.port();
            PoolSettings.Tls trustTheCa = new PoolSettings.Tls(TestCertificates.pem(ca.certificate()));
            Map<String, PoolSettings> pools = Map.of(
                    "secure", new PoolSettings(List.of(new PoolSettings.Instance(byAddress, 1)), null, null, null, null, null, trustTheCa),
                    "untrusted", new PoolSettings(List.of(new PoolSettings.Instance(byAddress, 1)), null, null, null, null, null, null),
                    "misnamed", new PoolSettings(List.of(new PoolSettings.Instance("https://localhost:" + upstream.port(), 1)),
                            null, null, null, null, null, trustTheCa));
            try (EdgeServer edge = EdgeServer.start(EdgeFixture.settings(kafka, dir, pools,
                    List.of(route("secure"), route("untrusted"), route("misnamed"))))) {
                String base = "http://127.0.0.1:" + edge.port();
                HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(base + "/secure/hello")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
                assertThat(ok.body()).isEqualTo("hello over TLS");

                LinkedBlockingQueue<String> echoed = new LinkedBlockingQueue<>();
                WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + edge.port() + "/secure/ws/echo"),
                        new WebSocket.Listener() {
                            @Override
                            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                                echoed.add(data.toString());
                                webSocket.request(1);
                                return null;
                            }
                        }).get(10, TimeUnit.SECONDS);
                socket.sendText("hi", true).get(5, TimeUnit.SECONDS);
                assertThat(echoed.poll(10, TimeUnit.SECONDS)).as("relayed over wss://").isEqualTo("secure hi");
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);

                assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/untrusted/hello")).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode()).as("a certificate no trusted CA signed").isEqualTo(502);
                assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/misnamed/hello")).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode()).as("a certificate for another name").isEqualTo(502);
            }
        } finally {
            upstream.stop();
        }
    }
}
