package io.eventgate.edge.cache;

import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.pipeline.ClientConnection;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Protocol;
import io.eventgate.edge.pipeline.Step;
import io.eventgate.policy.model.RoutePolicies;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The response cache on routes with a {@code cache} policy, after every admission check (a hit is authenticated and
 * limited like any request). A fresh answer is served from memory; a miss goes upstream once per key while the others
 * wait, and its answer is stored when the route and the answer's {@code Cache-Control} allow; a stale answer is
 * revalidated with its {@code ETag}/{@code Last-Modified} (a 304 makes it fresh again), within {@code staleWhileRevalidate}
 * served at once while a detached copy of the request revalidates it in the background, and within {@code staleIfError}
 * served while the upstream fails. Every answer says what happened in {@code Cache-Status}
 * (RFC 9211) and, on a hit, its {@code Age}.
 */
public final class CacheStep implements Step {
    /** Headers that belong to one exchange, never to a stored answer. */
    private static final Set<String> NOT_STORED = Set.of("x-request-id", "date", "age", "cache-status", "set-cookie", "connection",
            "keep-alive", "transfer-encoding", "content-length", "retry-after");

    private final ResponseCache cache;

    public CacheStep(ResponseCache cache) {
        this.cache = cache;
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        RoutePolicies.Cache policy = exchange.route().settings().cache();
        if (policy == null || exchange.protocol() != Protocol.HTTP || !policy.methods().contains(exchange.method())) {
            // a WebSocket upgrade is a GET too, but its answer is a session, never a stored body
            next.proceed(exchange);
            return;
        }
        CacheControl request = CacheControl.parse(exchange.header("cache-control"));
        boolean credentials = exchange.header("authorization") != null || !exchange.consumerId().equals(Exchange.ANONYMOUS);
        if (request.noStore() || credentials && !policy.perConsumer()) {
            exchange.cacheResult("bypass");
            exchange.addResponseHeader("Cache-Status", "eventgate; fwd=bypass; detail=" + (request.noStore() ? "no-store" : "credentials"));
            next.proceed(exchange);
            return;
        }
        String key = CacheKeys.of(exchange, policy, credentials);
        for (int attempt = 0; attempt < 2; attempt++) {
            Stored answer = cache.lookup(key, exchange::header);
            long now = System.currentTimeMillis();
            if (answer != null && answer.fresh(now) && !request.noCache()) {
                serve(exchange, answer, "eventgate; hit; ttl=" + answer.ttlSeconds(now), "hit");
                cache.hit();
                return;
            }
            if (answer != null && answer.servableWhileRevalidating(now) && !request.noCache()) {
                // the client gets the stale copy now; a detached copy of its request revalidates it for the next ones
                Exchange background = exchange.detached(new NoClient());
                cache.revalidateInBackground(key, () -> fetch(background, next, policy, key, answer, credentials));
                cache.servedWhileRevalidating();
                serve(exchange, answer, "eventgate; hit; ttl=" + answer.ttlSeconds(now) + "; detail=stale-while-revalidate", "stale");
                return;
            }
            if (cache.leadOrWait(key, () -> fetch(exchange, next, policy, key, answer, credentials))) {
                return;
            }
        }
        fetch(exchange, next, policy, key, cache.lookup(key, exchange::header), credentials); // the request in flight did not help
    }

    private void fetch(Exchange exchange, Chain next, RoutePolicies.Cache policy, String key, Stored stale, boolean credentials) {
        long now = System.currentTimeMillis();
        boolean clientConditional = exchange.header("if-none-match") != null || exchange.header("if-modified-since") != null;
        boolean revalidating = stale != null && !clientConditional && stale.hasValidators();
        if (revalidating) {
            if (stale.etag() != null) {
                exchange.upstreamHeader("If-None-Match", stale.etag());
            }
            if (stale.lastModified() != null) {
                exchange.upstreamHeader("If-Modified-Since", stale.lastModified());
            }
        }
        boolean staleUsable = stale != null && stale.servableOnError(now);
        ClientConnection client = exchange.client();
        CapturingConnection capture = new CapturingConnection(client, policy.maxBodyBytes(),
                status -> revalidating && status == 304 || staleUsable && status >= 500,
                stale == null ? "eventgate; fwd=miss" : "eventgate; fwd=stale");
        exchange.divertClient(capture);
        cache.miss();
        try {
            next.proceed(exchange);
        } finally {
            exchange.divertClient(client);
        }
        if (capture.swallowed()) {
            if (capture.status() == 304) {
                CacheControl control = CacheControl.parse(capture.header("Cache-Control"));
                Stored fresh = stale.refreshed(System.currentTimeMillis(), control.freshSeconds(policy.ttl().toSeconds()) * 1000);
                cache.store(key, vary(capture), exchange::header, fresh);
                cache.revalidated();
                serve(exchange, fresh, "eventgate; fwd=stale; fwd-status=304", "revalidated");
            } else {
                cache.staleServed();
                serve(exchange, stale, "eventgate; hit; fwd=stale; fwd-status=" + capture.status() + "; detail=stale-if-error", "stale");
            }
            return;
        }
        exchange.cacheResult("miss");
        store(exchange, policy, key, capture, credentials);
    }

    /** Keeps the answer when the route and the answer allow it. */
    private void store(Exchange exchange, RoutePolicies.Cache policy, String key, CapturingConnection answer, boolean credentials) {
        byte[] body = exchange.method().equals("HEAD") ? null : answer.body();
        if (body == null || exchange.outcome() != RequestOutcome.PROXIED || !policy.statuses().contains(answer.status())) {
            return;
        }
        CacheControl control = CacheControl.parse(String.join(",", answer.all("Cache-Control")));
        List<String> vary = vary(answer);
        if (control.noStore() || control.isPrivate() && !credentials || vary.contains("*") || !answer.all("Set-Cookie").isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis();
        long freshMillis = control.noCache() ? 0 : control.freshSeconds(policy.ttl().toSeconds()) * 1000;
        List<String[]> kept = new ArrayList<>();
        Set<String> tags = new HashSet<>();
        for (String[] header : answer.headers()) {
            String lower = header[0].toLowerCase(Locale.ROOT);
            if (lower.equals("surrogate-key") || lower.equals("cache-tag")) {
                for (String tag : header[1].split("[ ,]+")) {
                    if (!tag.isBlank()) {
                        tags.add(tag);
                    }
                }
            } else if (!NOT_STORED.contains(lower) && !lower.startsWith("access-control-") && !lower.startsWith("ratelimit-")) {
                kept.add(header);
            }
        }
        cache.store(key, vary, exchange::header, new Stored(exchange.route().id(), key, answer.status(), List.copyOf(kept), body, now, now + freshMillis,
                control.staleWhileRevalidateMillis(policy.staleWhileRevalidate().toMillis()), control.staleIfErrorMillis(policy.staleIfError().toMillis()),
                answer.header("ETag"), answer.header("Last-Modified"), Set.copyOf(tags)));
    }

    private static List<String> vary(CapturingConnection answer) {
        List<String> names = new ArrayList<>();
        for (String value : answer.all("Vary")) {
            for (String name : value.split(",")) {
                if (!name.isBlank()) {
                    names.add(name.trim().toLowerCase(Locale.ROOT));
                }
            }
        }
        return names;
    }

    private static void serve(Exchange exchange, Stored answer, String cacheStatus, String result) {
        ClientConnection client = exchange.client();
        long now = System.currentTimeMillis();
        exchange.cacheResult(result);
        exchange.ended(answer.status(), RequestOutcome.PROXIED);
        client.status(answer.status());
        for (String[] header : answer.headers()) {
            if (!exchange.setsResponseHeader(header[0].toLowerCase(Locale.ROOT))) {
                client.header(header[0], header[1]);
            }
        }
        client.header("Age", Long.toString(answer.ageSeconds(now)));
        client.header("Cache-Status", cacheStatus);
        client.header("X-Request-Id", exchange.requestId());
        exchange.writeResponseHeaders();
        if (exchange.method().equals("HEAD")) {
            client.send(new byte[0]);
            return;
        }
        client.contentLength(answer.body().length);
        client.send(answer.body());
        exchange.addBytesOut(answer.body().length);
    }
}
