package io.eventgate.edge.observe;

import io.eventgate.edge.upstream.Instance;
import io.eventgate.edge.upstream.UpstreamPool;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The edge's meters, scraped by Prometheus from the admin port, with the JVM's memory and garbage collection
 * ({@code jvm_gc_memory_allocated_bytes_total} gives the bytes allocated per request under load).
 */
public final class EdgeMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicInteger active = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong finished = new java.util.concurrent.atomic.AtomicLong();
    /** Timers by route, indexed by status class: looked up on every request, so kept rather than rebuilt. */
    private final Map<String, Timer[]> requestTimers = new ConcurrentHashMap<>();
    private final Map<String, Timer> upstreamTimers = new ConcurrentHashMap<>();

    private final io.micrometer.core.instrument.binder.jvm.JvmGcMetrics gcMetrics = new io.micrometer.core.instrument.binder.jvm.JvmGcMetrics();

    public EdgeMetrics() {
        Gauge.builder("edge.requests.active", active, AtomicInteger::get)
                .description("Requests being served").register(registry);
        gcMetrics.bindTo(registry);
        new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(registry);
    }

    @Override
    public void close() {
        gcMetrics.close();
    }

    public MeterRegistry registry() {
        return registry;
    }

    public String scrape() {
        return registry.scrape();
    }

    /** Requests finished since start (for rates). */
    public long requestsFinished() {
        return finished.get();
    }

    public int active() {
        return active.get();
    }

    public void requestStarted() {
        active.incrementAndGet();
    }

    /** A finished request, by route ('-' when none matched) and status class. */
    public void requestFinished(String route, int status, long durationNanos) {
        active.decrementAndGet();
        finished.incrementAndGet();
        int statusClass = Math.max(0, Math.min(5, status / 100));
        Timer[] timers = requestTimers.computeIfAbsent(route, r -> new Timer[6]);
        Timer timer = timers[statusClass];
        if (timer == null) {
            // registering is idempotent, so two threads racing here get the same timer
            timer = Timer.builder("edge.requests")
                    .description("Requests served, by route and status class")
                    .tag("route", route)
                    .tag("status_class", statusClass + "xx")
                    .publishPercentileHistogram()
                    .register(registry);
            timers[statusClass] = timer;
        }
        timer.record(durationNanos, TimeUnit.NANOSECONDS);
    }

    public void upstreamLatency(String pool, long nanos) {
        upstreamTimers.computeIfAbsent(pool, p -> Timer.builder("edge.upstream.latency").description("Time to the upstream's response headers")
                .tag("pool", p).publishPercentileHistogram().register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A CORS preflight answered at the edge. */
    public void corsPreflight(String route, boolean allowed) {
        Counter.builder("edge.cors.preflights").description("CORS preflights answered at the edge").tag("route", route)
                .tag("result", allowed ? "allowed" : "refused").register(registry).increment();
    }

    /** A fault injected for a chaos test ({@code delay} or {@code abort}). */
    public void faultInjected(String route, String kind) {
        Counter.builder("edge.faults.injected").description("Faults injected by routes").tag("route", route).tag("kind", kind)
                .register(registry).increment();
    }

    /** A route's mock answer. */
    public void mockAnswered(String route) {
        Counter.builder("edge.mock.answers").description("Answers given by a route's mock").tag("route", route).register(registry).increment();
    }

    /** An answer compressed: bytes from the upstream and bytes sent. */
    public void compressed(String encoding, long upstreamBytes, long sentBytes) {
        Counter.builder("edge.compression.responses").description("Answers compressed").tag("encoding", encoding).register(registry).increment();
        Counter.builder("edge.compression.bytes").description("Bytes of compressed answers").tag("encoding", encoding).tag("side", "upstream")
                .register(registry).increment(upstreamBytes);
        Counter.builder("edge.compression.bytes").description("Bytes of compressed answers").tag("encoding", encoding).tag("side", "client")
                .register(registry).increment(sentBytes);
    }

    /** A gRPC call ended with {@code code} (the upstream's status or the edge's own refusal). */
    public void grpcCall(String route, int code) {
        Counter.builder("edge.grpc.calls").description("gRPC calls by route and the status they ended with").tag("route", route)
                .tag("status", io.grpc.Status.fromCodeValue(code).getCode().name()).register(registry).increment();
    }

    /** A hedged request's outcome: {@code first_won}, {@code hedge_won}, or no hedge sent ({@code over_budget}, {@code no_instance}). */
    public void hedge(String route, String outcome) {
        Counter.builder("edge.upstream.hedges").description("Hedged requests, by outcome").tag("route", route).tag("outcome", outcome)
                .register(registry).increment();
    }

    public void retried(String route) {
        Counter.builder("edge.upstream.retries").description("Upstream attempts retried").tag("route", route).register(registry).increment();
    }

    /** Circuit state per instance: 0 closed, 1 half-open, 2 open; and whether it is healthy and not ejected. */
    public void watchPools(Collection<UpstreamPool> pools) {
        for (UpstreamPool pool : pools) {
            for (Instance instance : pool.instances()) {
                CircuitBreaker breaker = instance.breaker();
                if (breaker != null) {
                    Gauge.builder("edge.upstream.circuit.state", breaker, b -> switch (b.getState()) {
                                case CLOSED -> 0;
                                case HALF_OPEN -> 1;
                                default -> 2;
                            })
                            .description("Circuit breaker state: 0 closed, 1 half-open, 2 open")
                            .tag("pool", pool.name()).tag("instance", instance.address()).register(registry);
                }
                Gauge.builder("edge.upstream.available", instance, i -> i.healthy() && !i.ejected(System.nanoTime()) ? 1 : 0)
                        .description("1 when the instance is healthy and not ejected")
                        .tag("pool", pool.name()).tag("instance", instance.address()).register(registry);
            }
        }
    }
}
