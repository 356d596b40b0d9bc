package io.eventgate.edge.config;

import java.nio.file.Path;

/**
 * Whether the node follows {@code gateway.policies} (routes and pools from policy-streams, applied on top of
 * the static YAML) and where it keeps the last good set, used when Kafka is unreachable at start.
 */
public record PolicySettings(Boolean follow, Path cacheFile) {
    public PolicySettings {
        follow = follow == null ? Boolean.TRUE : follow;
    }
}
