package io.eventgate.edge.grpc;

import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.observe.EdgeTracing;
import io.eventgate.edge.pipeline.Admitted;
import io.eventgate.edge.pipeline.ClientConnection;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Exit;
import io.eventgate.edge.pipeline.GrpcReplies;
import io.eventgate.edge.pipeline.Replies;
import io.eventgate.edge.proxy.UpstreamHeaders;
import io.eventgate.edge.routing.Route;
import io.eventgate.edge.routing.Variants;
import io.eventgate.edge.upstream.Instance;
import io.eventgate.edge.upstream.UpstreamPool;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC exit: an admitted call goes to an instance of the route's pool through grpc-java's client, message by
 * message in both directions (unary and all three streaming kinds), with the client's metadata and the gateway's own
 * headers, and comes back with the upstream's headers, messages and trailers. The client's {@code grpc-timeout} becomes
 * the call's deadline, which grpc-java sends on as the time left. Messages are relayed as bytes, never decoded: the edge
 * needs no service definitions.
 */
public final class GrpcExit implements Exit {
    /** Largest message taken in either direction, gRPC's own default. */
    static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
    /** Request headers that belong to the HTTP/2 transport or that grpc-java sets itself, never copied as metadata. */
    private static final Set<String> TRANSPORT = Set.of("host", "content-length", "content-type", "te", "user-agent", "grpc-timeout",
            "grpc-encoding", "grpc-accept-encoding", "grpc-message-type", "connection", "transfer-encoding", "keep-alive", "upgrade",
            "proxy-connection", "http2-settings");
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
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

    private final GrpcChannels channels;
    private final Variants variants;
    private final EdgeTracing tracing;

    public GrpcExit(GrpcChannels channels, Variants variants, EdgeTracing tracing) {
        this.channels = channels;
        this.variants = variants;
        this.tracing = tracing;
    }

    @Override
    public void serve(Admitted admitted) {
        Exchange exchange = admitted.exchange();
        Route route = exchange.route();
        CallOptions options = CallOptions.DEFAULT;
        String timeout = exchange.header("grpc-timeout");
        if (timeout != null) {
            Long nanos = GrpcTimeout.nanos(timeout);
            if (nanos == null) {
                Replies.json(exchange, 400, RequestOutcome.REJECTED, "bad_grpc_timeout", "grpc-timeout '" + timeout + "' is not a gRPC timeout");
                return;
            }
            options = options.withDeadlineAfter(nanos, TimeUnit.NANOSECONDS);
        }
        Optional<Variants.Target> chosen = variants.target(exchange);
        if (chosen.isEmpty()) {
            return;
        }
        UpstreamPool pool = chosen.get().pool();
        Instance instance = chosen.get().instance();
        String target = route.upstreamTarget(exchange.path(), exchange.pathVariables(), null);
        String method = target.startsWith("/") ? target.substring(1) : target;
        Span span = tracing.startUpstreamSpan(exchange.span(), "gRPC " + method);
        Metadata headers = new Metadata();
        UpstreamHeaders.write(exchange, instance, tracing, span, (name, value) -> put(headers, name, value));
        ClientCall<byte[], byte[]> call = channels.of(instance).newCall(
                MethodDescriptor.newBuilder(BYTES, BYTES).setType(MethodDescriptor.MethodType.UNKNOWN).setFullMethodName(method).build(), options);
        Relay relay = new Relay(exchange, call);
        long started = System.nanoTime();
        pool.started(instance);
        Status status = Status.UNKNOWN;
        try {
            status = relay.run(headers);
        } finally {
            long latency = relay.firstAnswerNanos > 0 ? relay.firstAnswerNanos - started : System.nanoTime() - started;
            boolean failed = status.getCode() == Status.Code.UNAVAILABLE || status.getCode() == Status.Code.INTERNAL
                    || status.getCode() == Status.Code.UNKNOWN || status.getCode() == Status.Code.DATA_LOSS;
            pool.finished(instance, latency, failed);
            exchange.addUpstreamLatency(latency);
            span.setAttribute("rpc.grpc.status_code", status.getCode().value());
            if (status.getCode() != Status.Code.OK) {
                span.setStatus(StatusCode.ERROR, status.getCode().name());
            }
            span.end();
        }
    }

    /** Adds one header to {@code metadata}, unless it belongs to the transport; {@code -bin} values are base64 (RFC 4648). */
    static void put(Metadata metadata, String name, String value) {
        String key = name.toLowerCase(Locale.ROOT);
        if (TRANSPORT.contains(key) || key.startsWith(":")) {
            return;
        }
        try {
            if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                metadata.put(Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER), Base64.getDecoder().decode(value.trim()));
            } else {
                metadata.put(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER), value);
            }
        } catch (IllegalArgumentException e) {
            // a name gRPC cannot carry, or binary metadata that is not base64: left out, as a gRPC server would not take it
        }
    }

    /**
     * Each header of {@code metadata} to {@code out}, but the transport's own and the message encodings (the edge relays
     * messages uncompressed); binary values in base64 without padding, as gRPC writes them.
     */
    static void each(Metadata metadata, java.util.function.BiConsumer<String, String> out) {
        for (String key : metadata.keys()) {
            if (TRANSPORT.contains(key) || key.equals("grpc-status") || key.equals("grpc-message")) {
                continue;
            }
            if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                for (byte[] value : metadata.getAll(Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER))) {
                    out.accept(key, Base64.getEncoder().withoutPadding().encodeToString(value));
                }
            } else {
                for (String value : metadata.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER))) {
                    out.accept(key, value);
                }
            }
        }
    }

    /**
     * One call's relay. The call's events (headers, messages, close) queue up for the request's thread, which writes
     * them to the client and asks for the next message only once one is written, so a slow client slows the upstream
     * instead of filling memory. A virtual thread reads the client's messages and sends them on. grpc-java's call is not
     * thread-safe, so every use of it holds the lock.
     */
    private final class Relay extends ClientCall.Listener<byte[]> {
        private sealed interface Event permits Headers, Message, Closed {
        }

        private record Headers(Metadata metadata) implements Event {
        }

        private record Message(byte[] bytes) implements Event {
        }

        private record Closed(Status status, Metadata trailers) implements Event {
        }

        private final Exchange exchange;
        private final ClientCall<byte[], byte[]> call;
        private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
        private final Object lock = new Object();
        private volatile Status refusal;
        private volatile long firstAnswerNanos;

        Relay(Exchange exchange, ClientCall<byte[], byte[]> call) {
            this.exchange = exchange;
            this.call = call;
        }

        @Override
        public void onHeaders(Metadata headers) {
            firstAnswerNanos = System.nanoTime();
            events.add(new Headers(headers));
        }

        @Override
        public void onMessage(byte[] message) {
            events.add(new Message(message));
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
            if (firstAnswerNanos == 0) {
                firstAnswerNanos = System.nanoTime();
            }
            events.add(new Closed(status, trailers));
        }

        @Override
        public void onReady() {
            synchronized (lock) {
                lock.notifyAll();
            }
        }

        /** Ends the call with {@code status} (the edge's own), whatever the upstream says after. */
        private void refuse(Status status) {
            refusal = status;
            synchronized (lock) {
                call.cancel(status.getDescription(), null);
            }
        }

        Status run(Metadata headers) {
            synchronized (lock) {
                call.start(this, headers);
                call.request(1);
            }
            Thread reader = Thread.ofVirtual().name("grpc-request-" + exchange.requestId()).start(this::forwardRequest);
            try {
                return relayAnswer();
            } finally {
                reader.interrupt(); // an upstream that ended the call early leaves the client's stream unread
            }
        }

        /** The client's messages, each to the upstream as the call can take it; the end of the client's stream half-closes the call. */
        private void forwardRequest() {
            InputStream in = exchange.client().requestStream();
            try {
                while (true) {
                    int compressed = in.read();
                    if (compressed < 0) {
                        synchronized (lock) {
                            call.halfClose();
                        }
                        return;
                    }
                    byte[] prefix = in.readNBytes(4);
                    if (prefix.length < 4) {
                        refuse(Status.CANCELLED.withDescription("the client's stream ended inside a message"));
                        return;
                    }
                    int length = ((prefix[0] & 0xff) << 24) | ((prefix[1] & 0xff) << 16) | ((prefix[2] & 0xff) << 8) | (prefix[3] & 0xff);
                    if (compressed != 0) {
                        refuse(Status.UNIMPLEMENTED.withDescription("compressed messages are not relayed: send them uncompressed (grpc-encoding identity)"));
                        return;
                    }
                    if (length < 0 || length > MAX_MESSAGE_BYTES) {
                        refuse(Status.RESOURCE_EXHAUSTED.withDescription("a message of " + Integer.toUnsignedString(length) + " bytes is over the limit of "
                                + MAX_MESSAGE_BYTES));
                        return;
                    }
                    byte[] message = in.readNBytes(length);
                    if (message.length < length) {
                        refuse(Status.CANCELLED.withDescription("the client's stream ended inside a message"));
                        return;
                    }
                    exchange.addBytesIn(5 + length);
                    synchronized (lock) {
                        while (!call.isReady() && refusal == null) {
                            lock.wait(100); // the upstream's flow control: wait until it takes more
                        }
                        call.sendMessage(message);
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                if (refusal == null) {
                    refuse(Status.CANCELLED.withDescription("the client went away"));
                }
            } catch (InterruptedException e) {
                // the call ended: nothing more to send
            }
        }

        /** Writes the upstream's answer to the client as it comes; returns the status the client was given. */
        private Status relayAnswer() {
            ClientConnection client = exchange.client();
            boolean headersSent = false;
            OutputStream out = null;
            while (true) {
                Event event;
                try {
                    event = events.take();
                } catch (InterruptedException e) {
                    // the server interrupts the handler when the client's connection closes
                    refuse(Status.CANCELLED.withDescription("the client went away"));
                    exchange.grpcStatus(Status.Code.CANCELLED.value());
                    exchange.ended(499, RequestOutcome.CLIENT_ABORT);
                    return Status.CANCELLED;
                }
                try {
                    switch (event) {
                        case Headers headers -> {
                            GrpcReplies.headers(exchange, header -> each(headers.metadata(), header));
                            headersSent = true;
                        }
                        case Message message -> {
                            if (!headersSent) {
                                GrpcReplies.headers(exchange, header -> { });
                                headersSent = true;
                            }
                            if (out == null) {
                                out = client.responseBody();
                            }
                            byte[] bytes = message.bytes();
                            out.write(new byte[] {0, (byte) (bytes.length >>> 24), (byte) (bytes.length >>> 16), (byte) (bytes.length >>> 8), (byte) bytes.length});
                            out.write(bytes);
                            out.flush();
                            exchange.addBytesOut(5 + bytes.length);
                            synchronized (lock) {
                                call.request(1);
                            }
                        }
                        case Closed closed -> {
                            Status status = refusal != null ? refusal : closed.status();
                            finish(client, status, refusal != null ? new Metadata() : closed.trailers(), headersSent, out);
                            return status;
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // any failure to write to the client means it is gone
                    refuse(Status.CANCELLED.withDescription("the client went away"));
                    exchange.grpcStatus(Status.Code.CANCELLED.value());
                    exchange.ended(499, RequestOutcome.CLIENT_ABORT);
                    return Status.CANCELLED;
                }
            }
        }

        private void finish(ClientConnection client, Status status, Metadata trailers, boolean headersSent, OutputStream out) throws IOException {
            int code = status.getCode().value();
            exchange.grpcStatus(code);
            RequestOutcome outcome = status.isOk() ? RequestOutcome.PROXIED
                    : status.getCode() == Status.Code.DEADLINE_EXCEEDED ? RequestOutcome.TIMEOUT
                    : !headersSent && status.getCause() != null ? RequestOutcome.UPSTREAM_FAILURE
                    : RequestOutcome.PROXIED;
            exchange.ended(200, outcome);
            if (!headersSent) { // no headers from the upstream (it answered trailers-only, or never): the status alone
                GrpcReplies.end(exchange, code, status.getDescription(), trailer -> each(trailers, trailer));
                return;
            }
            GrpcReplies.trailers(exchange, out != null ? out : client.responseBody(), code, status.getDescription(), trailer -> each(trailers, trailer));
        }
    }
}
