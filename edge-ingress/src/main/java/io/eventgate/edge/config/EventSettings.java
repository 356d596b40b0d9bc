package io.eventgate.edge.config;

import io.eventgate.policy.model.Check;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The event pipeline: the bounded memory buffer between request threads and the publisher, how many
 * unacknowledged events the producer may hold before new ones spill to disk, and the disk spool.
 */
public record EventSettings(Boolean enabled, int bufferCapacity, int maxUnacknowledged, Spool spool) {
    public EventSettings {
        enabled = enabled == null ? Boolean.TRUE : enabled; // events are the product: on unless switched off
        bufferCapacity = bufferCapacity == 0 ? 65_536 : Check.range(bufferCapacity, 16, 16_777_216, "bufferCapacity");
        maxUnacknowledged = maxUnacknowledged == 0 ? 20_000 : Check.range(maxUnacknowledged, 1, 10_000_000, "maxUnacknowledged");
        Check.required(spool, "spool");
    }

    /** When the spool forces its writes to disk. */
    public enum Fsync {
        /** After every write batch: nothing acknowledged to the OS is lost on power failure. */
        ALWAYS,
        /** At most every {@code fsyncInterval}. */
        INTERVAL,
        /** Left to the operating system. */
        NEVER
    }

    /** The append-only spool: segment size, disk budget (beyond it events are dropped and counted), fsync policy. */
    public record Spool(Path dir, long segmentBytes, long maxBytes, Fsync fsync, Duration fsyncInterval) {
        public Spool {
            Check.required(dir, "dir");
            segmentBytes = segmentBytes == 0 ? 16L * 1024 * 1024 : Check.range(segmentBytes, 4096, 1L << 32, "segmentBytes");
            maxBytes = maxBytes == 0 ? 1L << 30 : Check.range(maxBytes, segmentBytes, Long.MAX_VALUE, "maxBytes");
            fsync = Check.orDefault(fsync, Fsync.INTERVAL);
            fsyncInterval = Check.positive(Check.orDefault(fsyncInterval, Duration.ofSeconds(1)), "fsyncInterval");
        }
    }
}
