package io.eventgate.edge.snapshot;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/** The one reference through which the request path reads the active snapshot; updates swap it atomically, no locks on reads. */
public final class SnapshotHolder {
    private final AtomicReference<Snapshot> current;
    /** Only for those who wait for a change (the heartbeat); the request path never takes it. */
    private final ReentrantLock swapped = new ReentrantLock();
    private final Condition swaps = swapped.newCondition();

    public SnapshotHolder(Snapshot initial) {
        this.current = new AtomicReference<>(initial);
    }

    public Snapshot get() {
        return current.get();
    }

    public Snapshot update(UnaryOperator<Snapshot> change) {
        Snapshot updated = current.updateAndGet(change);
        swapped.lock();
        try {
            swaps.signalAll();
        } finally {
            swapped.unlock();
        }
        return updated;
    }

    /** Waits until the active snapshot is another than {@code seen}, at most {@code timeout}; returns the active one. */
    public Snapshot awaitOther(Snapshot seen, Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        swapped.lock();
        try {
            while (current.get() == seen && left > 0) {
                left = swaps.awaitNanos(left);
            }
        } finally {
            swapped.unlock();
        }
        return current.get();
    }
}
