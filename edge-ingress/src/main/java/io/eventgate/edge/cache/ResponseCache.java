package io.eventgate.edge.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.eventgate.policy.model.CachePurge;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * The node's response cache, shared by the routes that have a {@code cache} policy: answers held in memory, bounded by
 * bytes (Caffeine, weighted by each answer's size, least useful out first), the request headers each key's answers vary
 * by, and one upstream request at a time per key (the other misses wait for it, bounded).
 */
public final class ResponseCache {
    /** How long a miss waits for the same key's request in flight before going to the upstream itself. */
    private static final Duration COLLAPSE_WAIT = Duration.ofSeconds(5);
    /** Background revalidations at once on a node; past it a stale answer is served without starting another. */
    private static final int BACKGROUND_LIMIT = 64;
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(ResponseCache.class.getName());

    private final Cache<String, Stored> answers;
    /** Per primary key, the request header names its answers vary by (the upstream's {@code Vary}). */
    private final Map<String, List<String>> varies = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();
    private final Counter hits;
    private final Counter misses;
    private final Counter stored;
    private final Counter revalidated;
    private final Counter staleServed;
    private final Counter purged;
    private final Counter staleWhileRevalidate;
    private final java.util.concurrent.Semaphore background = new java.util.concurrent.Semaphore(BACKGROUND_LIMIT);

    public ResponseCache(long maxBytes, MeterRegistry meters) {
        this.answers = Caffeine.newBuilder().maximumWeight(maxBytes).weigher((String key, Stored answer) -> answer.weight()).build();
        this.hits = Counter.builder("edge.cache.hits").description("Answers served from the cache").register(meters);
        this.misses = Counter.builder("edge.cache.misses").description("Cacheable requests sent to the upstream").register(meters);
        this.stored = Counter.builder("edge.cache.stored").description("Answers stored").register(meters);
        this.revalidated = Counter.builder("edge.cache.revalidated").description("Stale answers the upstream confirmed with 304").register(meters);
        this.staleServed = Counter.builder("edge.cache.stale_if_error").description("Stale answers served while the upstream failed").register(meters);
        this.staleWhileRevalidate = Counter.builder("edge.cache.stale_while_revalidate")
                .description("Stale answers served at once while a background request revalidated them").register(meters);
        this.purged = Counter.builder("edge.cache.purged").description("Answers dropped by purges").register(meters);
        Gauge.builder("edge.cache.bytes", answers, c -> c.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L))
                .description("Bytes of answers held").register(meters);
    }

    /** The answer stored for {@code primaryKey} and the request's values of the headers it varies by, or null. */
    Stored lookup(String primaryKey, java.util.function.Function<String, String> requestHeader) {
        List<String> vary = varies.get(primaryKey);
        return answers.getIfPresent(vary == null ? primaryKey : variantKey(primaryKey, vary, requestHeader));
    }

    void store(String primaryKey, List<String> vary, java.util.function.Function<String, String> requestHeader, Stored answer) {
        if (vary.isEmpty()) {
            varies.remove(primaryKey);
        } else {
            varies.put(primaryKey, vary);
        }
        answers.put(vary.isEmpty() ? primaryKey : variantKey(primaryKey, vary, requestHeader), answer);
        stored.increment();
    }

    static String variantKey(String primaryKey, List<String> vary, java.util.function.Function<String, String> requestHeader) {
        StringBuilder key = new StringBuilder(primaryKey);
        for (String name : vary) {
            String value = requestHeader.apply(name);
            key.append('\u0000').append(name).append('=').append(value == null ? "" : value);
        }
        return key.toString();
    }

    /**
     * Runs {@code fetch} as the only request in flight for {@code primaryKey}; if another is in flight, waits for it
     * (at most a few seconds) and returns false without running {@code fetch}, so the caller looks again.
     */
    boolean leadOrWait(String primaryKey, Runnable fetch) {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> other = inFlight.putIfAbsent(primaryKey, mine);
        if (other != null) {
            try {
                other.get(COLLAPSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // the other request failed or is slow: this one goes on its own
            }
            return false;
        }
        try {
            fetch.run();
            return true;
        } finally {
            inFlight.remove(primaryKey, mine);
            mine.complete(null);
        }
    }

    /**
     * Runs {@code revalidate} on a virtual thread of its own, unless a request for {@code primaryKey} is in flight already
     * or too many revalidations are; returns whether it started one. Requests that arrive meanwhile find the key in flight.
     */
    boolean revalidateInBackground(String primaryKey, Runnable revalidate) {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        if (inFlight.putIfAbsent(primaryKey, mine) != null) {
            return false;
        }
        if (!background.tryAcquire()) {
            inFlight.remove(primaryKey, mine);
            mine.complete(null);
            return false;
        }
        Thread.ofVirtual().name("cache-revalidate").start(() -> {
            try {
                revalidate.run();
            } catch (RuntimeException e) {
                LOG.log(java.util.logging.Level.WARNING, "background revalidation of " + primaryKey + " failed", e);
            } finally {
                background.release();
                inFlight.remove(primaryKey, mine);
                mine.complete(null);
            }
        });
        return true;
    }

    /** Drops every answer {@code which} selects; returns how many. */
    public int purge(Predicate<Stored> which) {
        int count = 0;
        for (Map.Entry<String, Stored> entry : answers.asMap().entrySet()) {
            if (which.test(entry.getValue()) && answers.asMap().remove(entry.getKey(), entry.getValue())) {
                count++;
            }
        }
        purged.increment(count);
        return count;
    }

    /** Applies a purge sent through the control topic; returns how many answers it dropped. */
    public int purge(CachePurge purge) {
        int dropped = purge.route() != null ? purgeRoute(purge.route()) : purge.key() != null ? purgeKey(purge.key()) : purgeTag(purge.tag());
        LOG.info("cache purge " + purge + " dropped " + dropped + " answers");
        return dropped;
    }

    /** Drops every answer of route {@code routeId}. */
    public int purgeRoute(String routeId) {
        return purge(answer -> answer.routeId().equals(routeId));
    }

    /** Drops the answers tagged {@code tag} by their upstream ({@code Surrogate-Key} or {@code Cache-Tag}). */
    public int purgeTag(String tag) {
        return purge(answer -> answer.tags().contains(tag));
    }

    /** Drops the answers whose key (method, host and path, then query and headers) starts with {@code keyPrefix}. */
    public int purgeKey(String keyPrefix) {
        return purge(answer -> answer.key().startsWith(keyPrefix));
    }

    void hit() {
        hits.increment();
    }

    void miss() {
        misses.increment();
    }

    void revalidated() {
        revalidated.increment();
    }

    void servedWhileRevalidating() {
        staleWhileRevalidate.increment();
    }

    void staleServed() {
        staleServed.increment();
    }
}
