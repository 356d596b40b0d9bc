package io.eventgate.edge.snapshot;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/** The one reference through which the request path reads the active snapshot; updates swap it atomically, no locks on reads. */
public final class SnapshotHolder {
    private final AtomicReference<Snapshot> current;

    public SnapshotHolder(Snapshot initial) {
        this.current = new AtomicReference<>(initial);
    }

    public Snapshot get() {
        return current.get();
    }

    public Snapshot update(UnaryOperator<Snapshot> change) {
        return current.updateAndGet(change);
    }
}
