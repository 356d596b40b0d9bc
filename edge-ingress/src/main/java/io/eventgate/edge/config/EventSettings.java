package io.eventgate.edge.config;

import io.eventgate.policy.model.Check;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The event pipeline: how many events the producer may hold unacknowledged, the journal on local disk that
 * every admitted request and every event passes through before Kafka sees it, and the batches' compression.
 */
public record EventSettings(Boolean enabled, int maxUnacknowledged, Journal journal, String compression) {
    /** The codecs Kafka's producer offers for the event batches; consumers of the topics must be able to decode them. */
    public static final java.util.Set<String> COMPRESSIONS = java.util.Set.of("lz4", "zstd", "gzip", "snappy", "none");

    public EventSettings {
        enabled = enabled == null ? Boolean.TRUE : enabled; // events are the product: on unless switched off
        maxUnacknowledged = maxUnacknowledged == 0 ? 20_000 : Check.range(maxUnacknowledged, 1, 10_000_000, "maxUnacknowledged");
        Check.required(journal, "journal");
        compression = compression == null ? "lz4" : compression.toLowerCase(java.util.Locale.ROOT);
        if (!COMPRESSIONS.contains(compression)) {
            throw new IllegalArgumentException("compression must be one of " + new java.util.TreeSet<>(COMPRESSIONS) + ", not '" + compression + "'");
        }
    }

    /** LZ4-compressed events: what most callers want. */
    public EventSettings(Boolean enabled, int maxUnacknowledged, Journal journal) {
        this(enabled, maxUnacknowledged, journal, null);
    }

    /** When the journal forces its pages to disk. A killed process loses nothing either way: the page cache outlives it. */
    public enum Fsync {
        /** After every batch the publisher reads: nothing acknowledged to the OS is lost on power failure. */
        ALWAYS,
        /** At most every {@code fsyncInterval}. */
        INTERVAL,
        /** Left to the operating system. */
        NEVER
    }

    /**
     * The journal: segment size, disk budget (beyond it events are dropped and counted), fsync policy, and the slots
     * for requests in flight (past them a request still runs, but a crash would leave no event for it).
     */
    public record Journal(Path dir, long segmentBytes, long maxBytes, Fsync fsync, Duration fsyncInterval, int admissionSlots) {
        public Journal {
            Check.required(dir, "dir");
            segmentBytes = segmentBytes == 0 ? 16L * 1024 * 1024 : Check.range(segmentBytes, 4096, 1L << 30, "segmentBytes");
            maxBytes = maxBytes == 0 ? 1L << 30 : Check.range(maxBytes, 2 * segmentBytes, Long.MAX_VALUE, "maxBytes");
            fsync = Check.orDefault(fsync, Fsync.INTERVAL);
            fsyncInterval = Check.positive(Check.orDefault(fsyncInterval, Duration.ofSeconds(1)), "fsyncInterval");
            admissionSlots = admissionSlots == 0 ? 16_384 : Check.range(admissionSlots, 16, 1 << 22, "admissionSlots");
        }

        public Journal(Path dir, long segmentBytes, long maxBytes, Fsync fsync, Duration fsyncInterval) {
            this(dir, segmentBytes, maxBytes, fsync, fsyncInterval, 0);
        }

        /** The same journal settings in another directory. */
        public Journal in(Path otherDir) {
            return new Journal(otherDir, segmentBytes, maxBytes, fsync, fsyncInterval, admissionSlots);
        }
    }
}
