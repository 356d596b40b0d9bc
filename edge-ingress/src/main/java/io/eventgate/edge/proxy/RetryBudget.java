package io.eventgate.edge.proxy;

/**
 * Bounds retries to a share of a route's traffic, so retries cannot multiply load on a failing upstream:
 * each request deposits {@code percent}/100 of a token, each retry spends one. A small reserve lets a
 * quiet route still retry.
 */
public final class RetryBudget {
    private static final double RESERVE = 10;
    private static final double CAP = 1_000;

    private final double depositPerRequest;
    private double balance = RESERVE;

    public RetryBudget(int percent) {
        this.depositPerRequest = percent / 100.0;
    }

    public synchronized void requested() {
        balance = Math.min(CAP, balance + depositPerRequest);
    }

    /** Spends one token if there is one. */
    public synchronized boolean tryRetry() {
        if (balance >= 1) {
            balance -= 1;
            return true;
        }
        return false;
    }
}
