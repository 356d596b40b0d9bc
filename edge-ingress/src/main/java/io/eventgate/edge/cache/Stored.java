package io.eventgate.edge.cache;

import java.util.List;
import java.util.Set;

/**
 * One cached answer: what the client is sent on a hit, its freshness and how long past it a stale copy may stand in
 * (while it is revalidated, or while the upstream fails), its validators and what can purge it.
 */
record Stored(String routeId, String key, int status, List<String[]> headers, byte[] body, long storedAtMillis, long freshUntilMillis,
              long staleWhileRevalidateMillis, long staleIfErrorMillis, String etag, String lastModified, Set<String> tags) {
    boolean fresh(long nowMillis) {
        return nowMillis < freshUntilMillis;
    }

    /** Whether a stale copy may be served at once while one request revalidates it. */
    boolean servableWhileRevalidating(long nowMillis) {
        return nowMillis < freshUntilMillis + staleWhileRevalidateMillis;
    }

    /** Whether a stale copy may be served in place of an upstream's error. */
    boolean servableOnError(long nowMillis) {
        return nowMillis < freshUntilMillis + staleIfErrorMillis;
    }

    boolean hasValidators() {
        return etag != null || lastModified != null;
    }

    long ageSeconds(long nowMillis) {
        return Math.max(0, (nowMillis - storedAtMillis) / 1000);
    }

    long ttlSeconds(long nowMillis) {
        return (freshUntilMillis - nowMillis) / 1000;
    }

    int weight() {
        int weight = body.length + key.length() + 256;
        for (String[] header : headers) {
            weight += header[0].length() + header[1].length() + 32;
        }
        return weight;
    }

    /** The same answer fresh again from {@code nowMillis} for {@code freshMillis}, after the upstream confirmed it with a 304. */
    Stored refreshed(long nowMillis, long freshMillis) {
        return new Stored(routeId, key, status, headers, body, nowMillis, nowMillis + freshMillis, staleWhileRevalidateMillis, staleIfErrorMillis,
                etag, lastModified, tags);
    }
}
