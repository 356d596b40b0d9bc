package io.eventgate.analytics;

import java.time.Duration;
import java.time.Instant;

/** What the route and usage windows share: where a window starts, and how long a store must keep them. */
public final class Windows {
    private Windows() {
    }

    /** The start of the epoch-aligned window of {@code size} that holds {@code at}. */
    public static Instant align(Instant at, Duration size) {
        return Instant.ofEpochMilli(Math.floorDiv(at.toEpochMilli(), size.toMillis()) * size.toMillis());
    }

    /** How long a store keeps windows: what queries want, but never less than a window and its grace. */
    public static Duration retention(Duration wanted, Duration size, Duration grace) {
        Duration least = size.plus(grace);
        return wanted.compareTo(least) >= 0 ? wanted : least;
    }
}
