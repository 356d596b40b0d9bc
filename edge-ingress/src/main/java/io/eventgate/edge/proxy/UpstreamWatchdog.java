package io.eventgate.edge.proxy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Enforces an upstream call's timeouts without socket read timeouts: first the first-byte timeout (the response
 * headers must arrive in time), then the idle timeout (each read of the body must come within it of the last). When
 * a deadline passes, the waiting virtual thread is interrupted, which closes the socket it waits on. A socket read
 * timeout would do the same job at a far higher price: every blocking read with a timeout is a timed park, which
 * schedules and cancels a timer for each read (measured here: about 25 µs of CPU per proxied request). One sweeper
 * checks the calls in flight every {@value #SWEEP_MILLIS} ms, so a call costs an insertion and a removal in a
 * concurrent set, and each read a volatile write.
 */
public final class UpstreamWatchdog implements AutoCloseable {
    static final long SWEEP_MILLIS = 10;
    private static final int WAITING = 0;
    private static final int STOPPED = 1;
    private static final int EXPIRED = 2;

    private final Set<Guard> inFlight = ConcurrentHashMap.newKeySet();
    private final Thread sweeper;
    private volatile boolean running = true;

    public UpstreamWatchdog() {
        this.sweeper = Thread.ofPlatform().daemon().name("upstream-watchdog").start(this::sweep);
    }

    /** A running guard for one upstream call, made on the calling thread. */
    public final class Guard {
        private final AtomicInteger state = new AtomicInteger(WAITING);
        private final Thread caller = Thread.currentThread();
        private volatile long deadlineNanos;

        private Guard(long timeoutNanos) {
            this.deadlineNanos = System.nanoTime() + timeoutNanos;
        }

        private void expireIfDue(long now) {
            if (now - deadlineNanos >= 0 && state.compareAndSet(WAITING, EXPIRED)) {
                caller.interrupt();
            }
        }

        /**
         * The call made progress (headers, or body bytes): the next must come within {@code timeoutNanos}. Returns false
         * when the deadline passed first; the interrupt it caused is then cleared, so it cannot leak into later work.
         */
        public boolean renew(long timeoutNanos) {
            deadlineNanos = System.nanoTime() + timeoutNanos;
            if (state.get() == EXPIRED) {
                Thread.interrupted();
                return false;
            }
            return true;
        }

        /** Whether a deadline passed: a failure of the call is then the watchdog's doing, a timeout. */
        public boolean expired() {
            return state.get() == EXPIRED;
        }

        /**
         * Call when the call ended, whatever way. Returns true if a deadline passed first; the interrupt it caused is
         * cleared so it cannot leak into later work on this thread.
         */
        public boolean stop() {
            inFlight.remove(this);
            if (state.compareAndSet(WAITING, STOPPED) || state.get() == STOPPED) {
                return false;
            }
            Thread.interrupted();
            return true;
        }
    }

    /** Guards a call whose first progress must come within {@code timeoutNanos}. */
    public Guard start(long timeoutNanos) {
        Guard guard = new Guard(timeoutNanos);
        inFlight.add(guard);
        return guard;
    }

    private void sweep() {
        while (running) {
            long now = System.nanoTime();
            for (Guard guard : inFlight) {
                guard.expireIfDue(now);
            }
            try {
                Thread.sleep(SWEEP_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        sweeper.interrupt();
    }
}
