package io.eventgate.edge.config;

import io.eventgate.policy.model.Check;

/** The node's response cache, shared by every route with a {@code cache} policy: its size in bytes (64 MiB by default). */
public record CacheSettings(long maxBytes) {
    public CacheSettings {
        maxBytes = maxBytes == 0 ? 64L << 20 : Check.range(maxBytes, 1L << 20, 1L << 40, "cache.maxBytes");
    }
}
