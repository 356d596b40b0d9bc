package io.eventgate.edge.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.TestCertificates;
import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.edge.config.ServerSettings;
import io.eventgate.edge.config.TlsSettings;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.policy.model.PoolSettings;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** gRPC over TLS on both legs: the client reaches the edge with ALPN h2, and the edge an https:// pool's instance, verified against its CA. */
@ExtendWith(KafkaExtension.class)
class GrpcTlsTest {
    @Test
    void callsCrossTlsWithAlpnH2OnBothSides(TestKafka kafka, @TempDir Path dir) throws Exception {
        TestCertificates.Issued ca = TestCertificates.issue("CN=grpc test CA", null, true);
        TestCertificates.Issued host = TestCertificates.issue("CN=127.0.0.1", ca, false, new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        ServerServiceDefinition echo = ServerServiceDefinition.builder("demo.Echo")
                .addMethod(GrpcProxyTest.SAY, ServerCalls.asyncUnaryCall((request, answer) -> {
                    answer.onNext("tls:" + request);
                    answer.onCompleted();
                }))
                .build();
        Server upstream = NettyServerBuilder.forPort(0)
                .sslContext(GrpcSslContexts.configure(SslContextBuilder.forServer(host.keys().getPrivate(), host.certificate(), ca.certificate())).build())
                .addService(echo).build().start();
        Path keyStore = dir.resolve("edge.p12");
        try (OutputStream out = Files.newOutputStream(keyStore)) {
            TestCertificates.store(host, ca.certificate()).store(out, TestCertificates.PASSWORD);
        }
        PoolSettings overTls = new PoolSettings(List.of(new PoolSettings.Instance("https://127.0.0.1:" + upstream.getPort(), 1)), null, null, null, null, null,
                new PoolSettings.Tls(TestCertificates.pem(ca.certificate())));
        EdgeSettings base = EdgeFixture.settings(kafka, dir.resolve("journal"), Map.of("echo", overTls),
                List.of(EdgeFixture.route("grpc", "/demo.Echo/**", "echo")));
        ServerSettings plain = base.server();
        EdgeSettings settings = base.withServer(new ServerSettings(plain.host(), 0, 0, plain.maxHeaderBytes(), plain.maxUriBytes(), plain.maxBodyBytes(),
                plain.idleTimeout(), plain.trustedProxies(), false, new TlsSettings(keyStore, "changeit", null, null)));
        ManagedChannel channel = null;
        try (EdgeServer edge = EdgeServer.start(settings)) {
            channel = NettyChannelBuilder.forAddress("127.0.0.1", edge.port())
                    .sslContext(GrpcSslContexts.forClient().trustManager(ca.certificate()).build()).build();
            assertThat(ClientCalls.blockingUnaryCall(channel, GrpcProxyTest.SAY, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), "hi"))
                    .isEqualTo("tls:hi");
        } finally {
            if (channel != null) {
                channel.shutdownNow();
            }
            upstream.shutdownNow();
        }
    }
}
