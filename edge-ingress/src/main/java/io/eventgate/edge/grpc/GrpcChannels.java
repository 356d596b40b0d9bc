package io.eventgate.edge.grpc;

import io.eventgate.edge.upstream.Instance;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * One grpc-java channel per upstream instance, kept: HTTP/2 multiplexes every call to an instance over its connection.
 * An {@code http://} instance is spoken to in cleartext HTTP/2 (h2c, prior knowledge); an {@code https://} one over TLS
 * with ALPN h2, trusting the pool's {@code tls.caCertificates} or else the JDK's trust store.
 */
public final class GrpcChannels implements AutoCloseable {
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

    public ManagedChannel of(Instance instance) {
        return channels.computeIfAbsent(instance.uri().getScheme() + "://" + instance.address(), key -> open(instance));
    }

    private static ManagedChannel open(Instance instance) {
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(instance.uri().getHost(), port(instance))
                .maxInboundMessageSize(GrpcExit.MAX_MESSAGE_BYTES)
                .maxInboundMetadataSize(64 * 1024);
        if (!"https".equalsIgnoreCase(instance.uri().getScheme())) {
            return builder.usePlaintext().build();
        }
        try {
            var ssl = GrpcSslContexts.forClient();
            if (instance.endpoint().trust() != null) {
                ssl.trustManager(new ByteArrayInputStream(instance.endpoint().trust().caCertificates().getBytes(StandardCharsets.US_ASCII)));
            }
            SslContext context = ssl.build();
            return builder.useTransportSecurity().sslContext(context).build();
        } catch (SSLException e) {
            throw new IllegalStateException("TLS towards " + instance.address() + " cannot be set up: " + e.getMessage(), e);
        }
    }

    private static int port(Instance instance) {
        int port = instance.uri().getPort();
        return port > 0 ? port : "https".equalsIgnoreCase(instance.uri().getScheme()) ? 443 : 80;
    }

    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        for (ManagedChannel channel : channels.values()) {
            try {
                channel.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
