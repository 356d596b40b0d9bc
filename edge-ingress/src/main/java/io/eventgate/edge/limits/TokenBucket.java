package io.eventgate.edge.limits;

/**
 * A token bucket: holds up to {@code burst} tokens, refills at {@code ratePerSecond}, and each request takes
 * one. Thread-safe; time comes from the caller so tests can drive it. Written here because Resilience4j's
 * RateLimiter hands out a fixed number of permits per refresh period and has no separate burst.
 */
public final class TokenBucket {
    /** The outcome of one take: whether it was allowed, what is left, and when to come back. */
    public record Take(boolean allowed, double remaining, double secondsUntilNextToken, double secondsUntilFull) {
    }

    private final double ratePerSecond;
    private final double burst;
    private double tokens;
    private long lastNanos;

    public TokenBucket(double ratePerSecond, double burst, long nowNanos) {
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
        this.tokens = burst;
        this.lastNanos = nowNanos;
    }

    /**
     * The same bucket with a new rate and burst: it keeps the tokens it holds (up to the new burst) rather than
     * starting full, so a limit that is retuned often, like a node's share of a global limit, grants no extra burst.
     */
    public synchronized TokenBucket retuned(double ratePerSecond, double burst, long nowNanos) {
        double elapsed = Math.max(0, nowNanos - lastNanos) / 1e9;
        TokenBucket retuned = new TokenBucket(ratePerSecond, burst, nowNanos);
        retuned.tokens = Math.min(burst, Math.min(this.burst, tokens + elapsed * this.ratePerSecond));
        return retuned;
    }

    public double ratePerSecond() {
        return ratePerSecond;
    }

    public double burst() {
        return burst;
    }

    public synchronized Take take(long nowNanos) {
        double elapsed = Math.max(0, nowNanos - lastNanos) / 1e9;
        tokens = Math.min(burst, tokens + elapsed * ratePerSecond);
        lastNanos = nowNanos;
        boolean allowed = tokens >= 1;
        if (allowed) {
            tokens -= 1;
        }
        double untilNext = tokens >= 1 ? 0 : (1 - tokens) / ratePerSecond;
        return new Take(allowed, Math.floor(tokens), untilNext, (burst - tokens) / ratePerSecond);
    }
}
