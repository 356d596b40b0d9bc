package io.eventgate.edge.cache;

import java.util.Locale;

/**
 * The directives of a {@code Cache-Control} header that the cache acts on (RFC 9111, and RFC 5861's stale extensions);
 * ages in seconds, -1 when absent.
 */
record CacheControl(boolean noStore, boolean noCache, boolean isPrivate, long maxAge, long sharedMaxAge, long staleIfError,
                    long staleWhileRevalidate) {
    static final CacheControl NONE = new CacheControl(false, false, false, -1, -1, -1, -1);

    static CacheControl parse(String header) {
        if (header == null || header.isBlank()) {
            return NONE;
        }
        boolean noStore = false;
        boolean noCache = false;
        boolean isPrivate = false;
        long maxAge = -1;
        long sharedMaxAge = -1;
        long staleIfError = -1;
        long staleWhileRevalidate = -1;
        for (String directive : header.split(",")) {
            String[] parts = directive.trim().split("=", 2);
            String name = parts[0].trim().toLowerCase(Locale.ROOT);
            String value = parts.length > 1 ? parts[1].trim().replace("\"", "") : null;
            switch (name) {
                case "no-store" -> noStore = true;
                case "no-cache" -> noCache = true;
                case "private" -> isPrivate = true;
                case "max-age" -> maxAge = seconds(value);
                case "s-maxage" -> sharedMaxAge = seconds(value);
                case "stale-if-error" -> staleIfError = seconds(value);
                case "stale-while-revalidate" -> staleWhileRevalidate = seconds(value);
                default -> {
                }
            }
        }
        return new CacheControl(noStore, noCache, isPrivate, maxAge, sharedMaxAge, staleIfError, staleWhileRevalidate);
    }

    /** How long an answer stays fresh in a shared cache: s-maxage, then max-age, then the route's default. */
    long freshSeconds(long routeDefault) {
        return sharedMaxAge >= 0 ? sharedMaxAge : maxAge >= 0 ? maxAge : routeDefault;
    }

    /** How long past freshness a stale answer may stand in for a failing upstream: the answer's own, then the route's. */
    long staleIfErrorMillis(long routeDefaultMillis) {
        return staleIfError >= 0 ? staleIfError * 1000 : routeDefaultMillis;
    }

    /** How long past freshness a stale answer may be served while it is revalidated: the answer's own, then the route's. */
    long staleWhileRevalidateMillis(long routeDefaultMillis) {
        return staleWhileRevalidate >= 0 ? staleWhileRevalidate * 1000 : routeDefaultMillis;
    }

    private static long seconds(String value) {
        try {
            return value == null ? 0 : Math.max(0, Long.parseLong(value));
        } catch (NumberFormatException malformed) {
            return 0; // a malformed age is treated as stale (RFC 9111 4.2.1)
        }
    }
}
