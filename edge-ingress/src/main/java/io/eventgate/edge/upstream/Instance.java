package io.eventgate.edge.upstream;

import io.eventgate.policy.model.PoolSettings;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One upstream instance and what the pool knows of it: requests in flight, a peak-EWMA latency
 * estimate, active health, passive ejection, slow-start ramp and its circuit breaker.
 */
public final class Instance {
    /** Latency samples older than this weigh e^-1 in the EWMA. */
    private static final double DECAY_NANOS = Duration.ofSeconds(10).toNanos();
    private static final double MIN_SLOW_START_FACTOR = 0.1;

    private final String pool;
    private final PoolSettings.Instance settings;
    private final URI uri;
    private final String address;
    private final long slowStartNanos;
    private final io.helidon.common.tls.Tls tls;
    private final Endpoint endpoint;
    private final CircuitBreaker breaker;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private volatile boolean healthy = true;
    private volatile long ejectedUntilNanos;
    private volatile long rampStartNanos;
    // read and written without a lock: every request of the instance updates them, a lock would serialise the
    // requests, and a lost update only nudges a load-balancing estimate
    private volatile double ewmaNanos;
    private volatile long lastSampleNanos;

    Instance(String pool, PoolSettings.Instance settings, Duration slowStart, PoolSettings.CircuitBreaker breakerSettings,
             io.helidon.common.tls.Tls tls, PoolSettings.Tls trust, long nowNanos) {
        this.pool = pool;
        this.tls = tls;
        this.endpoint = new Endpoint(settings.uri(), trust);
        this.settings = settings;
        this.uri = settings.uri();
        this.address = settings.address();
        this.slowStartNanos = slowStart.toNanos();
        this.rampStartNanos = nowNanos;
        this.lastSampleNanos = nowNanos;
        this.breaker = breakerSettings.enabled() ? CircuitBreaker.of(pool + "/" + settings.address(), CircuitBreakerConfig.custom()
                .failureRateThreshold(breakerSettings.failureRatePercent())
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(breakerSettings.window())
                .minimumNumberOfCalls(breakerSettings.minimumCalls())
                .waitDurationInOpenState(breakerSettings.openFor())
                .permittedNumberOfCallsInHalfOpenState(breakerSettings.halfOpenCalls())
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .build()) : null;
    }

    public String pool() {
        return pool;
    }

    public URI uri() {
        return uri;
    }

    /**
     * Where connections to this instance go and what they trust: instances of two pools with the same URL but other
     * certificate authorities must not share connections.
     */
    public record Endpoint(URI uri, PoolSettings.Tls trust) {
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    /** TLS towards this instance, its pool's (disabled for http://). */
    public io.helidon.common.tls.Tls tls() {
        return tls;
    }

    /** {@code host:port}, as reported in events. */
    public String address() {
        return address;
    }

    public int priority() {
        return settings.priority();
    }

    public String zone() {
        return settings.zone();
    }

    public int weight() {
        return settings.weight();
    }

    public int inFlight() {
        return inFlight.get();
    }

    public boolean healthy() {
        return healthy;
    }

    public boolean ejected(long nowNanos) {
        return nowNanos < ejectedUntilNanos;
    }

    /** The breaker, if this pool has one. */
    public CircuitBreaker breaker() {
        return breaker;
    }

    /** Whether the balancer may pick this instance now (the breaker gives a permit again, before the call). */
    boolean selectable(long nowNanos) {
        return healthy && !ejected(nowNanos) && (breaker == null || breaker.getState() != CircuitBreaker.State.OPEN);
    }

    /** How long an upstream's load report counts: after that the instance is weighed as if it had never reported. */
    static final long REPORT_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    private volatile double reportedLoad = -1;
    private volatile long reportedAt;

    /** Keeps the utilization the instance reported (its {@code endpoint-load-metrics}); a negative one is ignored. */
    public void reportLoad(double utilization, long nowNanos) {
        if (utilization >= 0) {
            reportedLoad = utilization;
            reportedAt = nowNanos;
        }
    }

    /** The utilization the instance last reported, if within {@link #REPORT_NANOS}; -1 otherwise. */
    double reportedLoad(long nowNanos) {
        return reportedLoad >= 0 && nowNanos - reportedAt < REPORT_NANOS ? reportedLoad : -1;
    }

    /** Weight scaled by the slow-start ramp: a new or recovered instance takes a growing share. */
    double effectiveWeight(long nowNanos) {
        if (slowStartNanos <= 0) {
            return weight();
        }
        double elapsed = nowNanos - rampStartNanos;
        if (elapsed >= slowStartNanos) {
            return weight();
        }
        return weight() * Math.max(MIN_SLOW_START_FACTOR, elapsed / slowStartNanos);
    }

    /** Peak-EWMA cost: the latency estimate times the requests it would queue behind. */
    double cost(long nowNanos) {
        double estimate = ewmaNanos == 0 ? 1 : ewmaNanos;
        return estimate * (inFlight.get() + 1) / effectiveWeight(nowNanos);
    }

    void started() {
        inFlight.incrementAndGet();
    }

    /** Records the end of a call: latency feeds the EWMA, the result feeds outlier detection. */
    void finished(long latencyNanos, long nowNanos) {
        inFlight.decrementAndGet();
        double estimate = ewmaNanos;
        if (latencyNanos > estimate) {
            ewmaNanos = latencyNanos; // peak: react to slowdowns at once, recover gradually
        } else {
            double w = Math.exp(-(nowNanos - lastSampleNanos) / DECAY_NANOS);
            ewmaNanos = estimate * w + latencyNanos * (1 - w);
        }
        lastSampleNanos = nowNanos;
    }

    /** Counts a 5xx or connect failure; returns the new consecutive count. */
    int failed() {
        return consecutiveFailures.incrementAndGet();
    }

    void succeeded() {
        if (consecutiveFailures.get() != 0) { // most calls succeed: read, rather than write a line every request shares
            consecutiveFailures.set(0);
        }
    }

    void eject(long untilNanos) {
        ejectedUntilNanos = untilNanos;
        consecutiveFailures.set(0);
    }

    void markHealthy(boolean nowHealthy, long nowNanos) {
        if (nowHealthy && !healthy) {
            rampStartNanos = nowNanos;
        }
        healthy = nowHealthy;
    }

    @Override
    public String toString() {
        return pool + "/" + address();
    }
}
