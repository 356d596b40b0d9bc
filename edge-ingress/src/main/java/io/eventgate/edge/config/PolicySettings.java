package io.eventgate.edge.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Whether the node follows {@code gateway.policies} (routes and pools from policy-streams, applied on top of
 * the static YAML), where it keeps the last good set, used when Kafka is unreachable at start, and how
 * often it sends its NodeHeartbeat.
 */
public record PolicySettings(Boolean follow, Path cacheFile, Duration heartbeatInterval) {
    public PolicySettings {
        follow = follow == null ? Boolean.TRUE : follow;
        heartbeatInterval = heartbeatInterval == null ? Duration.ofSeconds(1) : heartbeatInterval;
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
            throw new IllegalArgumentException("heartbeatInterval must be positive, was " + heartbeatInterval);
        }
    }

    public PolicySettings(Boolean follow, Path cacheFile) {
        this(follow, cacheFile, null);
    }
}
