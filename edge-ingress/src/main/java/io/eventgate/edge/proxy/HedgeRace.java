package io.eventgate.edge.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Attempts of one request racing each on a virtual thread of its own, while the request's thread waits for the first
 * good result. Closing the race with its winner cancels the rest: their threads are interrupted (which closes the
 * sockets they wait on) and whatever they still deliver is abandoned.
 */
final class HedgeRace<T> {
    private final Predicate<T> good;
    private final Consumer<T> abandon;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition delivered = lock.newCondition();
    private final List<Thread> running = new ArrayList<>(2);
    private final List<T> results = new ArrayList<>(2);
    private int started;
    private volatile boolean closed;

    HedgeRace(Predicate<T> good, Consumer<T> abandon) {
        this.good = good;
        this.abandon = abandon;
    }

    /** Starts one more attempt. */
    void start(Supplier<T> attempt) {
        lock.lock();
        try {
            started++;
            Thread thread = Thread.ofVirtual().name("hedged-attempt").unstarted(() -> deliver(attempt.get()));
            running.add(thread);
            thread.start();
        } finally {
            lock.unlock();
        }
    }

    /** Whether the race is over: an attempt still running was cancelled, and its failure is no fault of its instance. */
    boolean cancelled() {
        return closed;
    }

    private void deliver(T result) {
        lock.lock();
        try {
            running.remove(Thread.currentThread());
            if (closed) {
                abandon.accept(result);
                return;
            }
            results.add(result);
            delivered.signalAll();
        } finally {
            lock.unlock();
        }
        Thread.interrupted(); // a cancel that came after the answer must not outlive it
    }

    /** The first result to arrive within {@code nanos}, or null when none has. */
    T first(long nanos) throws InterruptedException {
        lock.lock();
        try {
            long left = nanos;
            while (results.isEmpty() && left > 0) {
                left = delivered.awaitNanos(left);
            }
            return results.isEmpty() ? null : results.get(0);
        } finally {
            lock.unlock();
        }
    }

    /** The first good result; when every attempt ended without one, the last to end. */
    T firstGood() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                for (T result : results) {
                    if (good.test(result)) {
                        return result;
                    }
                }
                if (results.size() == started) {
                    return results.get(started - 1);
                }
                delivered.await(1, TimeUnit.SECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Ends the race with {@code winner} (null when the waiting request gave up): every other attempt is cancelled or abandoned. */
    void close(T winner) {
        lock.lock();
        try {
            closed = true;
            for (T result : results) {
                if (result != winner) {
                    abandon.accept(result);
                }
            }
            results.clear();
            running.forEach(Thread::interrupt);
        } finally {
            lock.unlock();
        }
    }
}
