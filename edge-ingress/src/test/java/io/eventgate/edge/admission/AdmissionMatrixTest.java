package io.eventgate.edge.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.avro.DirectiveKind;
import io.eventgate.avro.LimitDirective;
import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.RecordingUpstream;
import io.eventgate.edge.auth.ApiKeys;
import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.policy.model.ConsumerSettings;
import io.eventgate.policy.model.PlanSettings;
import io.eventgate.policy.model.RoutePolicies;
import io.eventgate.policy.model.RouteSettings;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every route of a fixture config, through every protocol a client can speak to the edge (HTTP/1.1, HTTP/2 over h2c,
 * a WebSocket upgrade, a gRPC call), with every kind of caller: no credential, a bad one, a blocked client, a consumer whose quota
 * is exhausted, a good credential. Each gets the same answer whatever the protocol, and the upstream sees nothing of
 * any refused request.
 */
@ExtendWith(KafkaExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdmissionMatrixTest {
    static final String BLOCKED_ADDRESS = "203.0.113.9";

    enum Route {
        /** anyone; a credential, when good, names the consumer */
        OPEN("/open/", "apiKey"),
        /** API key required */
        KEYED("/keyed/", "apiKey"),
        /** HTTP Basic required */
        BASIC("/basic/", "basic"),
        /** API key required, and every traffic policy that lets requests through: cache, CORS, compression, edits */
        POLICIED("/policied/", "apiKey"),
        /** API key required, and a topic as the target (a latest route): admitted, an unknown key is a 404, an upgrade a 400 */
        KAFKA("/topic/", "apiKey");

        final String prefix;
        final String scheme;

        Route(String prefix, String scheme) {
            this.prefix = prefix;
            this.scheme = scheme;
        }
    }

    /** HTTP/1.1 on the edge's own connection (the default) and on Helidon's ({@code server.http1: helidon}), h2c, WebSocket, gRPC. */
    enum Protocol { HTTP_1_1, HTTP_1_1_HELIDON, H2C, WEBSOCKET, GRPC }

    enum Caller { NO_CREDENTIAL, BAD_CREDENTIAL, BLOCKED_CLIENT, EXHAUSTED_QUOTA, GOOD_CREDENTIAL }

    static int expected(Route route, Caller caller) {
        return switch (caller) {
            case NO_CREDENTIAL, BAD_CREDENTIAL -> route == Route.OPEN ? 200 : 401;
            case BLOCKED_CLIENT -> 403;
            case EXHAUSTED_QUOTA -> 429;
            case GOOD_CREDENTIAL -> 200;
        };
    }

    RecordingUpstream upstream;
    EdgeServer edge;
    /** The same node's settings with HTTP/1.x on Helidon's connection. */
    EdgeServer helidonHttp1;
    final HttpClient http1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final HttpClient h2c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    final HttpClient webSockets = HttpClient.newHttpClient();
    io.grpc.ManagedChannel grpc;

    @BeforeAll
    void start(TestKafka kafka, @TempDir Path dir) throws Exception {
        upstream = RecordingUpstream.start();
        List<RouteSettings> routes = List.of(
                route("open", Route.OPEN, true, new RouteSettings.Access(null, null, null, null, 1000)),
                route("keyed", Route.KEYED, false, new RouteSettings.Access(List.of("apiKey"), null, null, null, 1000)),
                route("basic", Route.BASIC, false, new RouteSettings.Access(List.of("basic"), null, null, null, 1000)),
                route("policied", Route.POLICIED, false, new RouteSettings.Access(List.of("apiKey"), null, null, null, 1000))
                        .withPolicies(new RoutePolicies.Cors(List.of("https://app.example.com"), null, null, null, null, null), null, null,
                                new RoutePolicies.Transform(new RoutePolicies.HeaderEdits(null, null, Map.of("X-Policied", "yes"), null), null, null, null))
                        .withCompression(new RoutePolicies.Compression(null, 0, null))
                        .withCache(new RoutePolicies.Cache(Duration.ofSeconds(30), null, null, null, null, true, null, null, null)),
                RouteSettings.builder("topic", new RouteSettings.Match(null, List.of("/topic/{key}"), null, null), List.of())
                        .anonymous(false).access(new RouteSettings.Access(List.of("apiKey"), null, null, null, 1000))
                        .kafka(new io.eventgate.policy.model.KafkaTarget(kafka.createTopic("matrix-topic", 1, Map.of()), "latest", "path:key", null, null, null, null))
                        .build());
        EdgeSettings settings = EdgeFixture.settings(kafka, dir, Map.of("recording", EdgeFixture.pool(upstream.url())), routes)
                .withServer(EdgeFixture.server(List.of("127.0.0.1/32")))
                .withConsumers(Map.of(
                                "good", new ConsumerSettings("roomy", List.of(ApiKeys.hash("good-key")), null, bcrypt("good-password")),
                                "spent", new ConsumerSettings("roomy", List.of(ApiKeys.hash("spent-key")), null, bcrypt("spent-password"))),
                        Map.of("roomy", new PlanSettings(10_000, 10_000)));
        edge = EdgeServer.start(settings);
        EdgeSettings other = settings.forAnotherNode("matrix-helidon-http1");
        helidonHttp1 = EdgeServer.start(other.withServer(other.server().withHttp1("helidon")));
        grpc = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", edge.port()).usePlaintext().build();
        String limits = new Topics(kafka.topicPrefix()).name(Topic.LIMITS);
        try (var producer = new KafkaProducer<>(kafka.producerConfig(Map.of()), new StringSerializer(),
                ContractSerdes.of(kafka.registryUrl()).<LimitDirective>serde(Topic.LIMITS).serializer())) {
            producer.send(new ProducerRecord<>(limits, "client:" + BLOCKED_ADDRESS, directive("client:" + BLOCKED_ADDRESS, DirectiveKind.BLOCK))).get();
            producer.send(new ProducerRecord<>(limits, "consumer:spent", directive("consumer:spent", DirectiveKind.QUOTA_EXHAUSTED))).get();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline && (!edge.ready() || !helidonHttp1.ready()
                || status(Route.KEYED, Protocol.HTTP_1_1, Caller.BLOCKED_CLIENT, "/keyed/probe") != 403
                || status(Route.KEYED, Protocol.HTTP_1_1, Caller.EXHAUSTED_QUOTA, "/keyed/probe") != 429
                || status(Route.KEYED, Protocol.HTTP_1_1_HELIDON, Caller.BLOCKED_CLIENT, "/keyed/probe") != 403
                || status(Route.KEYED, Protocol.HTTP_1_1_HELIDON, Caller.EXHAUSTED_QUOTA, "/keyed/probe") != 429)) {
            Thread.sleep(50);
        }
    }

    @AfterAll
    void stop() {
        grpc.shutdownNow();
        helidonHttp1.close();
        edge.close();
        upstream.close();
    }

    static RouteSettings route(String id, Route route, boolean anonymous, RouteSettings.Access access) {
        return new RouteSettings(id, new RouteSettings.Match(null, List.of(route.prefix + "**"), null, null),
                List.of(new RouteSettings.Destination("recording", 100)), null, null, null, null, null, anonymous, null, null, access);
    }

    static LimitDirective directive(String scope, DirectiveKind kind) {
        return LimitDirective.newBuilder().setScope(scope).setKind(kind).setSource("operator:test").setReason(kind + " for " + scope)
                .setIssuedAt(Instant.now()).setExpiresAt(Instant.now().plusSeconds(600)).setVersion(1).build();
    }

    static String bcrypt(String password) {
        byte[] salt = new byte[16];
        new java.security.SecureRandom().nextBytes(salt);
        return OpenBSDBCrypt.generate("2b", password.toCharArray(), salt, 4);
    }

    static Stream<Arguments> everyRouteProtocolAndCaller() {
        List<Arguments> all = new ArrayList<>();
        for (Route route : Route.values()) {
            for (Protocol protocol : Protocol.values()) {
                for (Caller caller : Caller.values()) {
                    all.add(Arguments.of(route, protocol, caller));
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} over {1}, {2}")
    @MethodSource("everyRouteProtocolAndCaller")
    void everyProtocolIsAdmittedAlike(Route route, Protocol protocol, Caller caller) throws Exception {
        String path = route.prefix + protocol.name().toLowerCase() + "-" + caller.name().toLowerCase() + "-" + UUID.randomUUID();
        int status = status(route, protocol, caller, path);
        int expected = expected(route, caller);
        int admitted = route == Route.KAFKA ? (protocol == Protocol.WEBSOCKET || protocol == Protocol.GRPC ? 400 : 404)
                : (protocol == Protocol.WEBSOCKET ? 101 : 200);
        assertThat(status).as("%s over %s, %s", route, protocol, caller).isEqualTo(expected == 200 ? admitted : expected);
        if (expected != 200 || route == Route.KAFKA) {
            assertThat(upstream.seen(path)).as("the upstream saw nothing of a refused request").isEmpty();
        } else {
            assertThat(upstream.seen(path)).as("the upstream saw the admitted request once").hasSize(1);
            RecordingUpstream.Seen seen = upstream.seen(path).getFirst();
            assertThat(seen.kind()).isEqualTo(protocol == Protocol.WEBSOCKET ? "websocket" : "http");
            if (protocol == Protocol.GRPC) {
                assertThat(seen.header("Content-Type")).as("a gRPC call reached the upstream as one").startsWith("application/grpc");
            }
            assertThat(seen.header("X-API-Key")).as("an API key stays at the gateway").isNull();
            assertThat(seen.header("Authorization")).as("a credential the gateway checked stays at the gateway").isNull();
            if (caller == Caller.GOOD_CREDENTIAL) {
                assertThat(seen.header("X-Consumer-Id")).isEqualTo("good");
            }
            if (route == Route.POLICIED) {
                assertThat(seen.header("X-Policied")).as("the route's edits reach the upstream over every protocol").isEqualTo("yes");
            }
        }
    }

    /** The status the edge answered: 101 for a WebSocket it switched, else the HTTP status. */
    int status(Route route, Protocol protocol, Caller caller, String path) throws Exception {
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        String key = switch (caller) {
            case NO_CREDENTIAL -> null;
            case BAD_CREDENTIAL -> "wrong";
            case BLOCKED_CLIENT, GOOD_CREDENTIAL -> "good";
            case EXHAUSTED_QUOTA -> "spent";
        };
        if (key != null && route.scheme.equals("apiKey")) {
            headers.put("X-API-Key", key + "-key");
        } else if (key != null) {
            headers.put("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    ((key.equals("wrong") ? "good" : key) + ":" + key + "-password").getBytes(StandardCharsets.UTF_8)));
        }
        if (caller == Caller.BLOCKED_CLIENT) {
            headers.put("X-Forwarded-For", BLOCKED_ADDRESS);
        }
        URI uri = URI.create("http://127.0.0.1:" + (protocol == Protocol.HTTP_1_1_HELIDON ? helidonHttp1 : edge).port() + path);
        if (protocol == Protocol.GRPC) {
            return grpc(path, headers);
        }
        if (protocol == Protocol.WEBSOCKET) {
            return webSocket(URI.create("ws://127.0.0.1:" + edge.port() + path), headers);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri);
        headers.forEach(request::header);
        HttpResponse<String> response = (protocol == Protocol.H2C ? h2c : http1).send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (protocol == Protocol.H2C) {
            assertThat(response.version()).as("answered over HTTP/2").isEqualTo(HttpClient.Version.HTTP_2);
        }
        return response.statusCode();
    }

    /**
     * A unary gRPC call to {@code path}, as the HTTP status its outcome stands for: a refusal's code maps back to the
     * status the edge refuses with over HTTP (GrpcReplies' table); a call that reached the upstream is 200 whatever that
     * upstream, which speaks no gRPC, answered.
     */
    int grpc(String path, Map<String, String> headers) {
        io.grpc.Metadata metadata = new io.grpc.Metadata();
        headers.forEach((name, value) -> metadata.put(io.grpc.Metadata.Key.of(name.toLowerCase(), io.grpc.Metadata.ASCII_STRING_MARSHALLER), value));
        io.grpc.MethodDescriptor<byte[], byte[]> method = io.grpc.MethodDescriptor.newBuilder(BYTES, BYTES).setFullMethodName(path.substring(1))
                .setType(io.grpc.MethodDescriptor.MethodType.UNARY).build();
        io.grpc.Status.Code code;
        try {
            io.grpc.stub.ClientCalls.blockingUnaryCall(io.grpc.ClientInterceptors.intercept(grpc,
                    io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(metadata)), method,
                    io.grpc.CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), new byte[] {1, 2, 3});
            code = io.grpc.Status.Code.OK;
        } catch (io.grpc.StatusRuntimeException e) {
            code = e.getStatus().getCode();
        }
        for (int status : List.of(400, 401, 403, 404, 429)) {
            if (io.eventgate.edge.pipeline.GrpcReplies.code(status) == code) {
                return status;
            }
        }
        return 200;
    }

    static final io.grpc.MethodDescriptor.Marshaller<byte[]> BYTES = new io.grpc.MethodDescriptor.Marshaller<>() {
        @Override
        public java.io.InputStream stream(byte[] value) {
            return new java.io.ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(java.io.InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    };

    int webSocket(URI uri, Map<String, String> headers) throws Exception {
        LinkedBlockingQueue<String> echoed = new LinkedBlockingQueue<>();
        WebSocket.Builder builder = webSockets.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        headers.forEach(builder::header);
        WebSocket socket;
        try {
            socket = builder.buildAsync(uri, new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                    echoed.add(data.toString());
                    webSocket.request(1);
                    return null;
                }
            }).get(20, TimeUnit.SECONDS);
        } catch (ExecutionException | CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                return refused.getResponse().statusCode();
            }
            throw e;
        }
        socket.sendText("ping " + uri.getPath(), true).get(10, TimeUnit.SECONDS);
        assertThat(echoed.poll(10, TimeUnit.SECONDS)).as("the session relays both ways").isEqualTo("ping " + uri.getPath());
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
        return 101;
    }
}
