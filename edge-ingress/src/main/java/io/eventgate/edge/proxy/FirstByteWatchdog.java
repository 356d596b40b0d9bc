package io.eventgate.edge.proxy;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Enforces the first-byte timeout apart from the idle (per-read) timeout: if the upstream's response
 * headers have not arrived in time, the waiting virtual thread is interrupted, which closes its socket.
 */
public final class FirstByteWatchdog implements AutoCloseable {
    private static final int WAITING = 0;
    private static final int ANSWERED = 1;
    private static final int EXPIRED = 2;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "first-byte-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    /** A running guard for one upstream call, made on the calling thread. */
    public final class Guard {
        private final AtomicInteger state = new AtomicInteger(WAITING);
        private final ScheduledFuture<?> alarm;

        private Guard(long timeoutNanos) {
            Thread caller = Thread.currentThread();
            this.alarm = timer.schedule(() -> {
                if (state.compareAndSet(WAITING, EXPIRED)) {
                    caller.interrupt();
                }
            }, timeoutNanos, TimeUnit.NANOSECONDS);
        }

        /**
         * Call when the headers arrived or the call failed. Returns true if the timeout fired first; the
         * interrupt it caused is cleared so it cannot leak into later work on this thread.
         */
        public boolean stop() {
            if (state.compareAndSet(WAITING, ANSWERED)) {
                alarm.cancel(false);
                return false;
            }
            Thread.interrupted();
            return true;
        }
    }

    public Guard start(long timeoutNanos) {
        return new Guard(timeoutNanos);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
