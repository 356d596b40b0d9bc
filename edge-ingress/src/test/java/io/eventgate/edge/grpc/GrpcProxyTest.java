package io.eventgate.edge.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.rpc.RetryInfo;
import io.eventgate.avro.RequestEvent;
import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.RequestEventsOnTopic;
import io.eventgate.edge.auth.ApiKeys;
import io.eventgate.edge.config.AuthSettings;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.policy.model.ConsumerSettings;
import io.eventgate.policy.model.PlanSettings;
import io.eventgate.policy.model.RouteSettings;
import io.eventgate.schemas.Topics;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC through the edge with grpc-java on both sides: unary and the three streaming kinds, metadata and trailers both
 * ways, grpc-timeout honoured and sent on, and every refusal of the admission pipeline (credentials, groups, limits,
 * unknown methods, no upstream) answered as a gRPC status; every call's status lands in its RequestEvent.
 */
@ExtendWith(KafkaExtension.class)
class GrpcProxyTest {
    static final MethodDescriptor.Marshaller<String> TEXT = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    static final Metadata.Key<String> REQUEST_ID = Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> CONSUMER = Metadata.Key.of("x-consumer-id", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> TENANT = Metadata.Key.of("x-tenant", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<byte[]> TOKEN_BIN = Metadata.Key.of("x-token-bin", Metadata.BINARY_BYTE_MARSHALLER);
    static final Metadata.Key<String> UPSTREAM = Metadata.Key.of("x-upstream", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> DONE = Metadata.Key.of("x-done", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> API_KEY = Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);

    static MethodDescriptor<String, String> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.newBuilder(TEXT, TEXT).setFullMethodName("demo.Echo/" + name).setType(type).build();
    }

    static final MethodDescriptor<String, String> SAY = method("Say", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<String, String> FAIL = method("Fail", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<String, String> SLOW = method("Slow", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<String, String> COUNT = method("Count", MethodDescriptor.MethodType.SERVER_STREAMING);
    static final MethodDescriptor<String, String> JOIN = method("Join", MethodDescriptor.MethodType.CLIENT_STREAMING);
    static final MethodDescriptor<String, String> CHAT = method("Chat", MethodDescriptor.MethodType.BIDI_STREAMING);

    /** What the upstream saw of each call, by its x-request-id. */
    final Map<String, Metadata> seen = new ConcurrentHashMap<>();
    final Map<String, Long> deadlines = new ConcurrentHashMap<>();
    Server upstream;
    final io.grpc.protobuf.services.HealthStatusManager health = new io.grpc.protobuf.services.HealthStatusManager();
    EdgeServer edge;
    ManagedChannel channel;

    Metadata remember(Metadata headers) {
        seen.put(headers.get(REQUEST_ID), headers);
        Context context = Context.current();
        if (context.getDeadline() != null) {
            deadlines.put(headers.get(REQUEST_ID), context.getDeadline().timeRemaining(TimeUnit.MILLISECONDS));
        }
        return headers;
    }

    TestKafka kafka;

    @BeforeEach
    void start(TestKafka kafka, @TempDir Path dir) throws IOException {
        this.kafka = kafka;
        ServerServiceDefinition echo = ServerServiceDefinition.builder("demo.Echo")
                .addMethod(SAY, ServerCalls.asyncUnaryCall((request, answer) -> {
                    answer.onNext("echo:" + request);
                    answer.onCompleted();
                }))
                .addMethod(FAIL, ServerCalls.asyncUnaryCall((request, answer) -> {
                    Metadata trailers = new Metadata();
                    trailers.put(DONE, "failed on purpose");
                    answer.onError(Status.FAILED_PRECONDITION.withDescription("no such order: " + request).asRuntimeException(trailers));
                }))
                .addMethod(SLOW, ServerCalls.asyncUnaryCall((request, answer) -> {
                    try {
                        Thread.sleep(3_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    answer.onNext("late");
                    answer.onCompleted();
                }))
                .addMethod(COUNT, ServerCalls.asyncServerStreamingCall((request, answer) -> {
                    for (int i = 1; i <= Integer.parseInt(request); i++) {
                        answer.onNext("n" + i);
                    }
                    answer.onCompleted();
                }))
                .addMethod(JOIN, ServerCalls.asyncClientStreamingCall(answer -> new StreamObserver<String>() {
                    final StringBuilder all = new StringBuilder();

                    @Override
                    public void onNext(String part) {
                        all.append(part);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        answer.onNext(all.toString());
                        answer.onCompleted();
                    }
                }))
                .addMethod(CHAT, ServerCalls.asyncBidiStreamingCall(answer -> new StreamObserver<String>() {
                    @Override
                    public void onNext(String line) {
                        answer.onNext("re:" + line);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        answer.onCompleted();
                    }
                }))
                .build();
        upstream = NettyServerBuilder.forPort(0).addService(io.grpc.ServerInterceptors.intercept(echo, new io.grpc.ServerInterceptor() {
            @Override
            public <Q, A> io.grpc.ServerCall.Listener<Q> interceptCall(io.grpc.ServerCall<Q, A> call, Metadata headers, io.grpc.ServerCallHandler<Q, A> next) {
                remember(headers);
                return next.startCall(new io.grpc.ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                    @Override
                    public void sendHeaders(Metadata answerHeaders) {
                        answerHeaders.put(UPSTREAM, "echo-1");
                        super.sendHeaders(answerHeaders);
                    }

                    @Override
                    public void close(Status status, Metadata trailers) {
                        if (status.isOk()) {
                            trailers.put(DONE, "yes");
                        }
                        super.close(status, trailers);
                    }
                }, headers);
            }
        })).addService(health.getHealthService()).build().start();

        String grpcPool = "http://127.0.0.1:" + upstream.getPort();
        RouteSettings open = EdgeFixture.route("grpc-open", "/demo.Echo/**", "echo");
        RouteSettings keyed = RouteSettings.builder("grpc-keyed", new RouteSettings.Match(null, List.of("/keyed/**"), null, null),
                List.of(new RouteSettings.Destination("echo", 100))).stripPrefix("/keyed").anonymous(false).build();
        RouteSettings admins = RouteSettings.builder("grpc-admins", new RouteSettings.Match(null, List.of("/admins/**"), null, null),
                List.of(new RouteSettings.Destination("echo", 100))).stripPrefix("/admins").anonymous(false)
                .access(new RouteSettings.Access(null, List.of("admins"), null, null)).build();
        RouteSettings nowhere = EdgeFixture.route("grpc-nowhere", "/nowhere.Svc/**", "dead");
        RouteSettings checked = EdgeFixture.route("grpc-checked", "/checked/**", "checked").toBuilder().stripPrefix("/checked").build();
        io.eventgate.policy.model.PoolSettings checkedPool = new io.eventgate.policy.model.PoolSettings(
                List.of(new io.eventgate.policy.model.PoolSettings.Instance(grpcPool, 1)), null, null,
                new io.eventgate.policy.model.PoolSettings.HealthCheck(null, Duration.ofMillis(100), Duration.ofSeconds(1), 1, 1, ""), null, null);
        edge = EdgeServer.start(EdgeFixture.settings(kafka, dir, Map.of("echo", EdgeFixture.pool(grpcPool), "dead", EdgeFixture.pool("http://127.0.0.1:1"),
                                "checked", checkedPool),
                        List.of(open, keyed, admins, nowhere, checked))
                .withAuth(new AuthSettings("X-API-Key"))
                .withConsumers(Map.of("acme", new ConsumerSettings("gold", List.of(ApiKeys.hash("acme-key")), List.of("users")),
                        "slowpoke", new ConsumerSettings("tiny", List.of(ApiKeys.hash("tiny-key")), null)),
                        Map.of("gold", new PlanSettings(1000, 1000), "tiny", new PlanSettings(0.1, 1))));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", edge.port()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        edge.close();
        upstream.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void unaryAndStreamingCallsPassWithMetadataTrailersAndDeadlines() throws Exception {
        Metadata mine = new Metadata();
        mine.put(TENANT, "t-7");
        mine.put(TOKEN_BIN, new byte[] {0, 1, 2, (byte) 0xff});
        var answerHeaders = new java.util.concurrent.atomic.AtomicReference<Metadata>();
        var answerTrailers = new java.util.concurrent.atomic.AtomicReference<Metadata>();
        io.grpc.Channel client = io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(mine),
                MetadataUtils.newCaptureMetadataInterceptor(answerHeaders, answerTrailers));
        assertThat(ClientCalls.blockingUnaryCall(client, SAY, CallOptions.DEFAULT, "hi")).isEqualTo("echo:hi");
        assertThat(answerHeaders.get().get(UPSTREAM)).as("the upstream's headers reach the client").isEqualTo("echo-1");
        assertThat(answerTrailers.get().get(DONE)).as("and its trailers").isEqualTo("yes");
        String requestId = answerHeaders.get().get(REQUEST_ID);
        Metadata upstreamSaw = seen.get(requestId);
        assertThat(upstreamSaw).as("the upstream got the call's request id").isNotNull();
        assertThat(upstreamSaw.get(TENANT)).isEqualTo("t-7");
        assertThat(upstreamSaw.get(TOKEN_BIN)).containsExactly((byte) 0, (byte) 1, (byte) 2, (byte) 0xff);
        assertThat(upstreamSaw.get(Metadata.Key.of("x-forwarded-for", Metadata.ASCII_STRING_MARSHALLER))).isEqualTo("127.0.0.1");

        Iterator<String> counted = ClientCalls.blockingServerStreamingCall(channel, COUNT, CallOptions.DEFAULT, "5");
        List<String> numbers = new ArrayList<>();
        counted.forEachRemaining(numbers::add);
        assertThat(numbers).containsExactly("n1", "n2", "n3", "n4", "n5");

        LinkedBlockingQueue<String> joined = new LinkedBlockingQueue<>();
        StreamObserver<String> parts = ClientCalls.asyncClientStreamingCall(channel.newCall(JOIN, CallOptions.DEFAULT), observer(joined));
        for (String part : List.of("a", "b", "c")) {
            parts.onNext(part);
        }
        parts.onCompleted();
        assertThat(joined.poll(10, TimeUnit.SECONDS)).isEqualTo("abc");

        // bidirectional: each answer arrives before the next line is sent
        LinkedBlockingQueue<String> replies = new LinkedBlockingQueue<>();
        StreamObserver<String> lines = ClientCalls.asyncBidiStreamingCall(channel.newCall(CHAT, CallOptions.DEFAULT), observer(replies));
        for (String line : List.of("one", "two", "three")) {
            lines.onNext(line);
            assertThat(replies.poll(10, TimeUnit.SECONDS)).as("the reply to " + line + ", while the stream is open").isEqualTo("re:" + line);
        }
        lines.onCompleted();
        assertThat(replies.poll(10, TimeUnit.SECONDS)).isEqualTo("completed");

        // the upstream's own error status, description and trailers pass as they are
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, FAIL, CallOptions.DEFAULT, "o-9"))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(e.getStatus().getDescription()).isEqualTo("no such order: o-9");
                    assertThat(e.getTrailers().get(DONE)).isEqualTo("failed on purpose");
                });

        // grpc-timeout: honoured at the edge and sent on as the time left
        long started = System.nanoTime();
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, SLOW, CallOptions.DEFAULT.withDeadlineAfter(500, TimeUnit.MILLISECONDS), "x"))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        assertThat(System.nanoTime() - started).as("the call ended at its deadline, not when the upstream answered").isLessThan(TimeUnit.MILLISECONDS.toNanos(2_900));
        assertThat(deadlines.values()).as("the upstream got a deadline no later than the client's").anySatisfy(left -> assertThat(left).isBetween(1L, 500L));

        List<RequestEvent> events = RequestEventsOnTopic.read(kafka.bootstrapServers(), kafka.registryUrl(), new Topics(kafka.topicPrefix()).requests(),
                e -> e.size() >= 6, Duration.ofSeconds(30));
        assertThat(events).filteredOn(e -> e.getRequestId().equals(requestId)).singleElement().satisfies(e -> {
            assertThat(e.getGrpcStatus()).isEqualTo(0);
            assertThat(e.getStatus()).isEqualTo(200);
            assertThat(e.getRouteId()).isEqualTo("grpc-open");
            assertThat(e.getPath()).isEqualTo("/demo.Echo/Say");
        });
        assertThat(events).extracting(RequestEvent::getGrpcStatus).contains(0, Status.Code.FAILED_PRECONDITION.value(), Status.Code.DEADLINE_EXCEEDED.value());
    }

    @Test
    void theAdmissionPipelinesRefusalsAreGrpcStatuses() throws Exception {
        assertThat(code(channel, "/keyed/demo.Echo/Say", null)).as("no credential").isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(code(channel, "/keyed/demo.Echo/Say", "wrong-key")).as("a wrong credential").isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(code(channel, "/keyed/demo.Echo/Say", "acme-key")).as("admitted").isEqualTo(Status.Code.OK);
        assertThat(code(channel, "/admins/demo.Echo/Say", "acme-key")).as("not in the route's group").isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(code(channel, "/unknown.Service/Method", null)).as("no route").isEqualTo(Status.Code.UNIMPLEMENTED);
        assertThat(code(channel, "/nowhere.Svc/Call", null)).as("an upstream that refuses connections").isEqualTo(Status.Code.UNAVAILABLE);

        assertThat(code(channel, "/keyed/demo.Echo/Say", "tiny-key")).isEqualTo(Status.Code.OK);
        StatusRuntimeException limited = call(channel, "/keyed/demo.Echo/Say", "tiny-key");
        assertThat(limited.getStatus().getCode()).as("over the plan's rate").isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(limited.getTrailers().get(Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER))).isNotNull();
        com.google.rpc.Status details = StatusProto.fromThrowable(limited);
        assertThat(details).as("google.rpc.Status with RetryInfo").isNotNull();
        RetryInfo retry = details.getDetailsList().getFirst().unpack(RetryInfo.class);
        assertThat(retry.getRetryDelay().getSeconds()).isPositive();

        List<RequestEvent> events = RequestEventsOnTopic.read(kafka.bootstrapServers(), kafka.registryUrl(), new Topics(kafka.topicPrefix()).requests(),
                e -> e.size() >= 8, Duration.ofSeconds(30));
        assertThat(events).filteredOn(e -> e.getGrpcStatus() != null && e.getGrpcStatus() == Status.Code.UNAUTHENTICATED.value())
                .as("a refusal keeps the HTTP status it stands for").allSatisfy(e -> assertThat(e.getStatus()).isEqualTo(401)).hasSize(2);
        assertThat(events).filteredOn(e -> e.getGrpcStatus() != null && e.getGrpcStatus() == Status.Code.RESOURCE_EXHAUSTED.value())
                .singleElement().satisfies(e -> assertThat(e.getStatus()).isEqualTo(429));
        String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + edge.adminPort() + "/observe/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("edge_grpc_calls_total{route=\"grpc-keyed\",status=\"UNAUTHENTICATED\"} 2.0")
                .contains("edge_grpc_calls_total{route=\"grpc-keyed\",status=\"RESOURCE_EXHAUSTED\"} 1.0");
    }

    @Test
    void aPoolOfGrpcServersIsHealthCheckedWithGrpcHealthV1() throws Exception {
        assertThat(code(channel, "/checked/demo.Echo/Say", null)).isEqualTo(Status.Code.OK);
        health.setStatus("", io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Status.Code code = Status.Code.OK;
        while (code == Status.Code.OK && System.nanoTime() < deadline) {
            Thread.sleep(50); // the next check, 100 ms apart, takes the instance out
            code = code(channel, "/checked/demo.Echo/Say", null);
        }
        assertThat(code).as("the only instance reports NOT_SERVING: no instance to call").isEqualTo(Status.Code.UNAVAILABLE);
        health.setStatus("", io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
        deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (code != Status.Code.OK && System.nanoTime() < deadline) {
            Thread.sleep(50);
            code = code(channel, "/checked/demo.Echo/Say", null);
        }
        assertThat(code).as("SERVING again, it takes calls again").isEqualTo(Status.Code.OK);
    }

    /** The status of a unary call to {@code path} (any method name: the edge routes by path), with an API key if given. */
    static Status.Code code(ManagedChannel channel, String path, String apiKey) {
        StatusRuntimeException failure = call(channel, path, apiKey);
        return failure == null ? Status.Code.OK : failure.getStatus().getCode();
    }

    static StatusRuntimeException call(ManagedChannel channel, String path, String apiKey) {
        Metadata headers = new Metadata();
        if (apiKey != null) {
            headers.put(API_KEY, apiKey);
        }
        MethodDescriptor<String, String> any = MethodDescriptor.newBuilder(TEXT, TEXT).setFullMethodName(path.substring(1))
                .setType(MethodDescriptor.MethodType.UNARY).build();
        try {
            ClientCalls.blockingUnaryCall(io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers)), any,
                    CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "hi");
            return null;
        } catch (StatusRuntimeException e) {
            return e;
        }
    }

    static StreamObserver<String> observer(LinkedBlockingQueue<String> into) {
        return new StreamObserver<>() {
            @Override
            public void onNext(String value) {
                into.add(value);
            }

            @Override
            public void onError(Throwable t) {
                into.add("error:" + Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                into.add("completed");
            }
        };
    }
}
