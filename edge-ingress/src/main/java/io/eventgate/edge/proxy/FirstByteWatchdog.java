package io.eventgate.edge.proxy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Enforces the first-byte timeout apart from the idle (per-read) timeout: if the upstream's response
 * headers have not arrived in time, the waiting virtual thread is interrupted, which closes its socket.
 * One sweeper thread checks the calls in flight every {@value #SWEEP_MILLIS} ms, so a call costs an
 * insertion and a removal in a concurrent set rather than a scheduled task.
 */
public final class FirstByteWatchdog implements AutoCloseable {
    static final long SWEEP_MILLIS = 10;
    private static final int WAITING = 0;
    private static final int ANSWERED = 1;
    private static final int EXPIRED = 2;

    private final Set<Guard> inFlight = ConcurrentHashMap.newKeySet();
    private final Thread sweeper;
    private volatile boolean running = true;

    public FirstByteWatchdog() {
        this.sweeper = Thread.ofPlatform().daemon().name("first-byte-watchdog").start(this::sweep);
    }

    /** A running guard for one upstream call, made on the calling thread. */
    public final class Guard {
        private final AtomicInteger state = new AtomicInteger(WAITING);
        private final Thread caller = Thread.currentThread();
        private final long deadlineNanos;

        private Guard(long timeoutNanos) {
            this.deadlineNanos = System.nanoTime() + timeoutNanos;
        }

        private void expireIfDue(long now) {
            if (now - deadlineNanos >= 0 && state.compareAndSet(WAITING, EXPIRED)) {
                caller.interrupt();
            }
        }

        /**
         * Call when the headers arrived or the call failed. Returns true if the timeout fired first; the
         * interrupt it caused is cleared so it cannot leak into later work on this thread.
         */
        public boolean stop() {
            inFlight.remove(this);
            if (state.compareAndSet(WAITING, ANSWERED)) {
                return false;
            }
            Thread.interrupted();
            return true;
        }
    }

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
