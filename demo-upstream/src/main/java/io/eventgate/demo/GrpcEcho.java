package io.eventgate.demo;

import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The demo's gRPC service, {@code demo.Echo}: {@code Say} answers the message it got, {@code Chat} answers each message
 * of a stream as it comes. Messages are bytes, so any client can call it without a .proto file: the framed message
 * {@code 00 00000005 hello} comes back as it went. Beside it, the standard {@code grpc.health.v1.Health}.
 */
public final class GrpcEcho implements AutoCloseable {
    public static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    public static final MethodDescriptor<byte[], byte[]> SAY = MethodDescriptor.newBuilder(BYTES, BYTES).setFullMethodName("demo.Echo/Say")
            .setType(MethodDescriptor.MethodType.UNARY).build();
    public static final MethodDescriptor<byte[], byte[]> CHAT = MethodDescriptor.newBuilder(BYTES, BYTES).setFullMethodName("demo.Echo/Chat")
            .setType(MethodDescriptor.MethodType.BIDI_STREAMING).build();

    private final Server server;

    private GrpcEcho(Server server) {
        this.server = server;
    }

    /** Starts on {@code host:port} in cleartext HTTP/2; port 0 picks a free port. */
    public static GrpcEcho start(String host, int port) {
        ServerServiceDefinition echo = ServerServiceDefinition.builder("demo.Echo")
                .addMethod(SAY, ServerCalls.asyncUnaryCall((message, answer) -> {
                    answer.onNext(message);
                    answer.onCompleted();
                }))
                .addMethod(CHAT, ServerCalls.asyncBidiStreamingCall(answer -> new StreamObserver<byte[]>() {
                    @Override
                    public void onNext(byte[] message) {
                        answer.onNext(message);
                    }

                    @Override
                    public void onError(Throwable error) {
                        // the caller went away: nothing left to answer
                    }

                    @Override
                    public void onCompleted() {
                        answer.onCompleted();
                    }
                }))
                .build();
        HealthStatusManager health = new HealthStatusManager();
        try {
            return new GrpcEcho(NettyServerBuilder.forAddress(new InetSocketAddress(host, port)).addService(echo)
                    .addService(health.getHealthService()).build().start());
        } catch (IOException e) {
            throw new UncheckedIOException("the gRPC echo cannot listen on " + host + ":" + port, e);
        }
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
