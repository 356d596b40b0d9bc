package io.eventgate.edge.auth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Failed authentications per client address, in windows of a minute. A client past its route's allowance is
 * refused before any credential it sends is checked, so a guesser can neither try many passwords nor make the
 * gateway spend a slow password hash on each guess. Time comes from the caller, so tests can drive it.
 */
final class AuthFailures {
    static final long WINDOW_NANOS = 60_000_000_000L;
    /** Addresses tracked at most; past this, windows that are over are dropped, and then the oldest entries. */
    private static final int MAX_TRACKED = 100_000;

    private record Window(long startNanos, AtomicInteger failures) {
        boolean over(long now) {
            return now - startNanos >= WINDOW_NANOS;
        }
    }

    private final Map<String, Window> byAddress = new ConcurrentHashMap<>();

    /** Seconds until {@code address} may try again when it failed {@code allowedPerMinute} times this window; 0 when it may now. */
    long retryAfterSeconds(String address, int allowedPerMinute, long now) {
        Window window = byAddress.get(address);
        if (window == null || window.over(now) || window.failures().get() < allowedPerMinute) {
            return 0;
        }
        return Math.max(1, (window.startNanos() + WINDOW_NANOS - now + 999_999_999L) / 1_000_000_000L);
    }

    /** Counts a failed authentication of {@code address}. */
    void failed(String address, long now) {
        if (byAddress.size() >= MAX_TRACKED) {
            byAddress.values().removeIf(w -> w.over(now));
            if (byAddress.size() >= MAX_TRACKED) {
                byAddress.clear(); // a flood of addresses: forgetting them beats running out of memory
            }
        }
        byAddress.compute(address, (key, window) -> window == null || window.over(now) ? new Window(now, new AtomicInteger(1)) : bump(window));
    }

    private static Window bump(Window window) {
        window.failures().incrementAndGet();
        return window;
    }
}
