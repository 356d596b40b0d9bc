package io.eventgate.edge.proxy;

import java.util.Arrays;

/**
 * A route's recent upstream latencies, for a learned hedging delay: the last {@value #SIZE} answers' times to their
 * headers, and a quantile of them recomputed every {@value #EVERY} answers (a sort of {@value #SIZE} longs), so that
 * reading it costs a volatile read.
 */
final class LatencyWindow {
    static final int SIZE = 512;
    private static final int EVERY = 64;
    /** Answers seen before the learned quantile is trusted. */
    static final int WARM = 100;

    private final long[] samples = new long[SIZE];
    private final double quantile;
    private long count;
    private volatile long quantileNanos = -1;

    LatencyWindow(int percentile) {
        this.quantile = percentile / 100.0;
    }

    synchronized void record(long nanos) {
        samples[(int) (count % SIZE)] = nanos;
        count++;
        if (count >= WARM && count % EVERY == 0) {
            long[] sorted = Arrays.copyOf(samples, (int) Math.min(count, SIZE));
            Arrays.sort(sorted);
            quantileNanos = sorted[(int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)];
        }
    }

    /** The quantile of the recent latencies, or {@code fallback} until enough answers were seen. */
    long quantileOr(long fallback) {
        long learned = quantileNanos;
        return learned < 0 ? fallback : learned;
    }
}
