package io.eventgate.edge.proxy;

import io.eventgate.avro.MirrorDiff;
import io.eventgate.avro.MirrorDifference;
import io.eventgate.edge.observe.EdgeTracing;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.routing.Route;
import io.eventgate.edge.upstream.Instance;
import io.eventgate.edge.upstream.UpstreamPool;
import io.eventgate.policy.model.RoutePolicies;
import io.eventgate.policy.model.RouteSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Copies sampled requests of routes with a {@code mirror} policy to their shadow pool, each on a virtual thread of its
 * own, so the client never waits for a shadow nor sees its answer. A route runs at most {@code maxInFlight} mirrors at
 * once; one more is dropped and counted. With {@code compare}, the shadow's status, the named headers and the SHA-256 of
 * its body are compared with the answer the client got, once both are known, and a difference is published as a
 * {@link MirrorDiff}. Shadow requests carry {@value #HEADER} so the shadow can keep them from doing anything for real.
 */
public final class Mirroring implements AutoCloseable {
    public static final String HEADER = "X-Eventgate-Mirror";
    private static final HexFormat HEX = HexFormat.of();

    private final String nodeId;
    private final UpstreamClients clients;
    private final UpstreamWatchdog watchdog;
    private final EdgeTracing tracing;
    private final Consumer<MirrorDiff> diffs;
    private final MeterRegistry meters;
    private final Map<String, Semaphore> inFlight = new ConcurrentHashMap<>();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    public Mirroring(String nodeId, UpstreamClients clients, UpstreamWatchdog watchdog, EdgeTracing tracing, Consumer<MirrorDiff> diffs,
                     MeterRegistry meters) {
        this.nodeId = nodeId;
        this.clients = clients;
        this.watchdog = watchdog;
        this.tracing = tracing;
        this.diffs = diffs;
        this.meters = meters;
    }

    /** Whether this request of a route mirroring {@code percent} % is one to copy. */
    public static boolean sampled(RoutePolicies.Mirror policy) {
        return policy != null && ThreadLocalRandom.current().nextDouble(100) < policy.percent();
    }

    /**
     * Sends a copy of the request, with {@code body} (null when it has none), to the route's shadow pool, and returns
     * the handle through which the primary's answer is reported; null when the copy was dropped (too many in flight, or
     * no shadow instance to take it).
     */
    public Copy send(Exchange exchange, String primaryPool, byte[] body) {
        Route route = exchange.route();
        RoutePolicies.Mirror policy = route.settings().mirror();
        UpstreamPool shadowPool = exchange.snapshot().pool(policy.pool());
        Optional<Instance> chosen = shadowPool == null ? Optional.empty() : shadowPool.choose(null, HashKey.of(exchange, shadowPool.settings()));
        if (chosen.isEmpty()) {
            counted(route.id(), "no_instance");
            return null;
        }
        Semaphore permits = inFlight.computeIfAbsent(route.id(), id -> new Semaphore(policy.maxInFlight()));
        if (!permits.tryAcquire()) {
            counted(route.id(), "dropped");
            return null;
        }
        Instance instance = chosen.get();
        String target = route.upstreamTarget(exchange.path(), exchange.pathVariables(), exchange.rawQuery());
        Span span = tracing.startUpstreamSpan(exchange.span(), "MIRROR " + shadowPool.name());
        UpstreamRequestHead head = UpstreamHeaders.write(exchange, instance, tracing, span, new UpstreamRequestHead(exchange.method(), target));
        head.header(HEADER, "1");
        Copy copy = new Copy(exchange, primaryPool, policy, shadowPool, instance, head.endCopy(body), span);
        try {
            threads.execute(() -> {
                try {
                    copy.shadow.complete(call(copy, route.settings()));
                } finally {
                    permits.release();
                }
            });
        } catch (RuntimeException e) { // the executor is shut down: the node is stopping
            permits.release();
            span.end();
            return null;
        }
        if (policy.compare()) {
            copy.primary.thenAcceptBothAsync(copy.shadow, copy::compare, threads);
        }
        return copy;
    }

    private Answer call(Copy copy, RouteSettings settings) {
        Instance instance = copy.instance;
        boolean replayable = ProxyStep.IDEMPOTENT.contains(copy.method);
        long started = System.nanoTime();
        copy.shadowPool.started(instance);
        UpstreamWatchdog.Guard guard = watchdog.start(settings.timeouts().firstByte().toNanos());
        try {
            UpstreamExchange response = null;
            io.helidon.webclient.api.ClientConnection kept = clients.kept(instance);
            io.helidon.webclient.api.ClientConnection connection = kept;
            for (int attempt = 0; response == null; attempt++) {
                try {
                    if (connection == null) {
                        connection = clients.open(instance, settings.timeouts().connect());
                    }
                    response = UpstreamExchange.send(connection, copy.request).receive(copy.method.equals("HEAD"));
                    if (!guard.renew(settings.timeouts().idle().toNanos())) {
                        response.close();
                        response = null;
                        throw new UncheckedIOException(new java.net.SocketTimeoutException("no answer within the first-byte timeout"));
                    }
                } catch (RuntimeException e) {
                    if (connection != null) {
                        connection.closeResource();
                    }
                    UpstreamFailure failure = UpstreamFailure.classify(e, guard.expired());
                    if (attempt == 0 && kept != null && failure == UpstreamFailure.RESET && replayable) {
                        connection = null; // the shadow closed the kept connection as it was reused: once more, on a new one
                        continue;
                    }
                    long latency = System.nanoTime() - started;
                    copy.shadowPool.finished(instance, latency, true);
                    counted(copy.routeId, "failed");
                    return new Answer(0, Map.of(), null, latency);
                }
            }
            response.answered();
            long latency = System.nanoTime() - started;
            copy.shadowPool.finished(instance, latency, response.status() >= 500);
            counted(copy.routeId, "sent");
            return new Answer(response.status(), copy.headersOf(response.head()), bodyHash(response, guard, settings), latency);
        } finally {
            guard.stop();
            copy.span.end();
        }
    }

    /** The SHA-256 of the shadow's body, read to its end; null when it broke off. */
    private static String bodyHash(UpstreamExchange response, UpstreamWatchdog.Guard guard, RouteSettings settings) {
        MessageDigest digest = sha256();
        byte[] buffer = new byte[16 * 1024];
        try (response; InputStream in = response.body()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                digest.update(buffer, 0, n);
                guard.renew(settings.timeouts().idle().toNanos());
            }
            return HEX.formatHex(digest.digest());
        } catch (IOException | UncheckedIOException e) {
            return null;
        }
    }

    /** A sampled request whose body could not be copied (no declared length, or over maxBodyBytes): counted, not mirrored. */
    public Copy notCopied(String route) {
        counted(route, "body_not_copied");
        return null;
    }

    private void counted(String route, String result) {
        Counter.builder("edge.mirrors").description("Requests mirrored to a shadow pool, by result").tag("route", route).tag("result", result)
                .register(meters).increment();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** An answer as compared: status (0 for none), the compared headers present, and the body's hash (null when not whole). */
    record Answer(int status, Map<String, String> headers, String bodyHash, long latencyNanos) {
    }

    /** One mirrored request: what went to the shadow, and the primary's answer, reported as the client gets it. */
    public final class Copy {
        private final String requestId;
        private final Instant receivedAt;
        private final String routeId;
        private final String method;
        private final String path;
        private final String primaryPool;
        private final List<String> compareHeaders;
        private final UpstreamPool shadowPool;
        private final Instance instance;
        private final byte[] request;
        private final Span span;
        private final CompletableFuture<Answer> shadow = new CompletableFuture<>();
        private final CompletableFuture<Answer> primary = new CompletableFuture<>();
        private final MessageDigest primaryDigest;
        private int primaryStatus;
        private Map<String, String> primaryHeaders = Map.of();
        private long primaryLatency;
        private boolean primaryWhole;

        private Copy(Exchange exchange, String primaryPool, RoutePolicies.Mirror policy, UpstreamPool shadowPool, Instance instance, byte[] request,
                     Span span) {
            this.requestId = exchange.requestId();
            this.receivedAt = exchange.receivedAt();
            this.routeId = exchange.route().id();
            this.method = exchange.method();
            this.path = exchange.path();
            this.primaryPool = primaryPool;
            this.compareHeaders = policy.compareHeaders();
            this.shadowPool = shadowPool;
            this.instance = instance;
            this.request = request;
            this.span = span;
            this.primaryDigest = policy.compare() ? sha256() : null;
        }

        /** The primary's response head arrived after {@code latencyNanos}. */
        void primaryAnswered(ResponseHead head, long latencyNanos) {
            primaryStatus = head.status();
            primaryHeaders = headersOf(head);
            primaryLatency = latencyNanos;
        }

        /** Bytes of the primary's body, as the upstream sent them (before any compression for the client). */
        void primaryBody(byte[] bytes, int offset, int length) {
            if (primaryDigest != null) {
                primaryDigest.update(bytes, offset, length);
            }
        }

        /** The primary's body was relayed whole. */
        void primaryWhole() {
            primaryWhole = true;
        }

        /** The client's answer is complete with {@code status}; without a primary head (the edge answered itself) only the status is compared. */
        void primaryEnded(int status) {
            if (primaryDigest == null) {
                return;
            }
            boolean answered = primaryStatus != 0;
            primary.complete(new Answer(status, primaryHeaders, answered && primaryWhole ? HEX.formatHex(primaryDigest.digest()) : null,
                    answered ? primaryLatency : 0));
        }

        private Map<String, String> headersOf(ResponseHead head) {
            if (compareHeaders.isEmpty()) {
                return Map.of();
            }
            Map<String, String> found = new java.util.HashMap<>();
            for (String name : compareHeaders) {
                String value = head.first(name);
                if (value != null) {
                    found.put(name, value);
                }
            }
            return found;
        }

        private void compare(Answer primary, Answer shadow) {
            List<MirrorDifference> differences = new ArrayList<>();
            if (primary.status() != shadow.status()) {
                differences.add(new MirrorDifference("status", Integer.toString(primary.status()), Integer.toString(shadow.status())));
            }
            if (shadow.status() != 0 && primary.latencyNanos() > 0) {
                for (String name : compareHeaders) {
                    if (!Objects.equals(primary.headers().get(name), shadow.headers().get(name))) {
                        differences.add(new MirrorDifference("header:" + name, primary.headers().get(name), shadow.headers().get(name)));
                    }
                }
            }
            if (primary.bodyHash() != null && shadow.bodyHash() != null && !primary.bodyHash().equals(shadow.bodyHash())) {
                differences.add(new MirrorDifference("body", primary.bodyHash(), shadow.bodyHash()));
            }
            if (differences.isEmpty()) {
                Counter.builder("edge.mirror.comparisons").description("Mirrored answers compared with the primary's, by result")
                        .tag("route", routeId).tag("result", "same").register(meters).increment();
                return;
            }
            for (MirrorDifference difference : differences) {
                String field = difference.getField().startsWith("header:") ? "header" : difference.getField();
                Counter.builder("edge.mirror.differences").description("Differences between shadow and primary answers, by field")
                        .tag("route", routeId).tag("field", field).register(meters).increment();
            }
            Counter.builder("edge.mirror.comparisons").description("Mirrored answers compared with the primary's, by result")
                    .tag("route", routeId).tag("result", "different").register(meters).increment();
            diffs.accept(MirrorDiff.newBuilder()
                    .setRequestId(requestId)
                    .setTimestamp(receivedAt)
                    .setNode(nodeId)
                    .setRouteId(routeId)
                    .setMethod(method)
                    .setPath(path)
                    .setPrimaryPool(primaryPool)
                    .setShadowPool(shadowPool.name())
                    .setPrimaryStatus(primary.status())
                    .setShadowStatus(shadow.status())
                    .setDifferences(differences)
                    .setPrimaryLatencyMicros(primary.latencyNanos() / 1_000)
                    .setShadowLatencyMicros(shadow.latencyNanos() / 1_000)
                    .build());
        }
    }

    @Override
    public void close() {
        threads.shutdown();
        try {
            threads.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
