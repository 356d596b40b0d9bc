package io.eventgate.edge.limits;

import io.eventgate.avro.DecisionKind;
import io.eventgate.avro.DirectiveKind;
import io.eventgate.avro.LimitDirective;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.pipeline.Decisions;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Refusal;
import io.eventgate.edge.pipeline.Replies;
import io.eventgate.edge.pipeline.Step;
import java.time.Duration;
import java.time.Instant;
import io.eventgate.schemas.LimitKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Applies the directives that Kafka feeds back (gateway.limits). The pipeline has two: one before
 * authentication for the client address and the route (so a blocked address is refused before it can try
 * another credential), one after it for the consumer (and this node's share of a consumer's global limit).
 * A scope holds one directive from each source that set one (policy-streams, the anomaly detector, operators), so none
 * lifts another's. Expired directives are ignored; the most restrictive applicable one wins: a block (403), then an exhausted
 * quota (429 until it resets), then a quota warning whose remaining requests this node has served since it
 * arrived (429: the breach is refused here before the QUOTA_EXHAUSTED directive comes back), then the lowest
 * rate (429 when its token bucket is empty). The first time a directive version is applied on this node a
 * DIRECTIVE_APPLIED DecisionEvent says so; each refusal is a DecisionEvent naming the directive.
 */
public final class DirectiveStep implements Step {
    private final String nodeId;
    private final Supplier<Map<String, List<LimitDirective>>> directives;
    private final Function<Exchange, List<String>> scopes;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final Set<String> announced = ConcurrentHashMap.newKeySet();
    private volatile Map<String, List<LimitDirective>> pruned = Map.of();
    /** Billable requests this node served under each quota warning (scope|source#version), counted against its {@code remaining}. */
    private final Map<String, AtomicLong> spentSinceWarning = new ConcurrentHashMap<>();

    private DirectiveStep(String nodeId, Supplier<Map<String, List<LimitDirective>>> directives, Function<Exchange, List<String>> scopes) {
        this.nodeId = nodeId;
        this.directives = directives;
        this.scopes = scopes;
    }

    /** Directives on the client address and the route: before authentication. */
    public static DirectiveStep forAddressAndRoute(String nodeId, Supplier<Map<String, List<LimitDirective>>> directives) {
        return new DirectiveStep(nodeId, directives, exchange -> List.of("client:" + exchange.clientAddress(), "route:" + exchange.route().id()));
    }

    /** Directives on the consumer and on this node's share of its global limit: after authentication. */
    public static DirectiveStep forConsumer(String nodeId, Supplier<Map<String, List<LimitDirective>>> directives) {
        return new DirectiveStep(nodeId, directives, exchange -> exchange.consumerId().equals(Exchange.ANONYMOUS) ? List.of()
                : List.of("consumer:" + exchange.consumerId(), "consumer:" + exchange.consumerId() + "@node:" + nodeId));
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        Map<String, List<LimitDirective>> all = directives.get();
        if (all.isEmpty()) {
            next.proceed(exchange);
            return;
        }
        if (all != pruned) {
            forgetLifted(all);
        }
        Instant now = Instant.now();
        List<LimitDirective> applicable = new ArrayList<>(4);
        for (String scope : scopes.apply(exchange)) {
            for (LimitDirective directive : all.getOrDefault(scope, List.of())) {
                if (inForce(directive, now)) {
                    applicable.add(directive);
                    announce(exchange, directive);
                }
            }
        }
        LimitDirective block = first(applicable, DirectiveKind.BLOCK);
        if (block != null) {
            refuse(exchange, next, block, DecisionKind.BLOCKED, 403, "blocked", null, null);
            return;
        }
        LimitDirective quota = first(applicable, DirectiveKind.QUOTA_EXHAUSTED);
        if (quota != null) {
            long retryAfter = quota.getExpiresAt() == null ? 60 : Math.max(1, Duration.between(now, quota.getExpiresAt()).toSeconds() + 1);
            refuse(exchange, next, quota, DecisionKind.QUOTA_EXHAUSTED, 429, "quota_exhausted", retryAfter, 0.0);
            return;
        }
        LimitDirective warning = first(applicable, DirectiveKind.QUOTA_WARNING);
        AtomicLong spent = null;
        if (warning != null && warning.getRemaining() != null) {
            spent = spentSinceWarning.computeIfAbsent(identity(warning) + "#" + warning.getVersion(), key -> new AtomicLong());
            // counted when admitted, given back unless it proves billable: a request in flight holds its place, so a client
            // that sends the next one as soon as it has an answer cannot slip past the count
            if (spent.incrementAndGet() > warning.getRemaining()) {
                spent.decrementAndGet();
                long retryAfter = warning.getExpiresAt() == null ? 60 : Math.max(1, Duration.between(now, warning.getExpiresAt()).toSeconds() + 1);
                refuse(exchange, next, warning, DecisionKind.QUOTA_EXHAUSTED, 429, "quota_exhausted", retryAfter, 0.0);
                return;
            }
        }
        LimitDirective rate = null;
        for (LimitDirective directive : applicable) {
            if (isRate(directive) && directive.getValue() != null && (rate == null || directive.getValue() < rate.getValue())) {
                rate = directive;
            }
        }
        if (rate != null) {
            LimitDirective chosen = rate;
            double burst = chosen.getBurst() == null ? Math.max(1, chosen.getValue()) : chosen.getBurst();
            long nanos = System.nanoTime();
            // one bucket per scope and source, retuned when a new version changes the rate, so a new version grants no fresh burst
            TokenBucket bucket = buckets.compute(identity(chosen), (key, existing) -> existing == null
                    ? new TokenBucket(chosen.getValue(), burst, nanos)
                    : existing.ratePerSecond() == chosen.getValue() && existing.burst() == burst ? existing : existing.retuned(chosen.getValue(), burst, nanos));
            TokenBucket.Take take = bucket.take(nanos);
            if (!take.allowed()) {
                if (spent != null) {
                    spent.decrementAndGet();
                }
                long retryAfter = Math.max(1, (long) Math.ceil(take.secondsUntilNextToken()));
                refuse(exchange, next, chosen, DecisionKind.THROTTLE, 429, "rate_limited", retryAfter, 0.0);
                return;
            }
        }
        boolean billable = false;
        try {
            next.proceed(exchange);
            billable = exchange.outcome() == RequestOutcome.PROXIED && exchange.status() >= 200 && exchange.status() < 400;
        } finally {
            if (spent != null && !billable) {
                spent.decrementAndGet();
            }
        }
    }

    /** Whether {@code directive} still applies at {@code now}: it has no expiry, or has not reached it. */
    static boolean inForce(LimitDirective directive, Instant now) {
        return directive.getExpiresAt() == null || directive.getExpiresAt().isAfter(now);
    }

    /** The directives changed: drop the buckets and announcements of those that were lifted, so neither grows without end. */
    private void forgetLifted(Map<String, List<LimitDirective>> all) {
        pruned = all;
        Set<String> live = new java.util.HashSet<>();
        Set<String> liveVersions = new java.util.HashSet<>();
        all.values().forEach(list -> list.forEach(d -> {
            live.add(identity(d));
            liveVersions.add(identity(d) + "#" + d.getVersion());
        }));
        buckets.keySet().retainAll(live);
        announced.retainAll(liveVersions);
        spentSinceWarning.keySet().retainAll(liveVersions);
    }

    /** Which directive this is: its scope and its source, as it is keyed on gateway.limits. */
    private static String identity(LimitDirective directive) {
        return LimitKeys.of(directive.getScope(), directive.getSource());
    }

    private void announce(Exchange exchange, LimitDirective directive) {
        if (announced.add(identity(directive) + "#" + directive.getVersion())) {
            exchange.decided(Decisions.of(exchange, nodeId, DecisionKind.DIRECTIVE_APPLIED, "limit:" + directive.getScope(), directive.getVersion(),
                    directive.getValue(), null, null, directive.getKind() + " from " + directive.getSource() + ": " + directive.getReason(), false), false);
        }
    }

    private void refuse(Exchange exchange, Chain next, LimitDirective directive, DecisionKind kind, int status, String error, Long retryAfter,
                        Double remaining) {
        Refusal.refuse(exchange, next, Decisions.of(exchange, nodeId, kind, "limit:" + directive.getScope(), directive.getVersion(), directive.getValue(),
                remaining, retryAfter, directive.getReason() + " (" + directive.getSource() + ")", false), () -> {
                    if (retryAfter != null) {
                        exchange.client().header("Retry-After", Long.toString(retryAfter));
                    }
                    Replies.json(exchange, status, RequestOutcome.DENIED, error, directive.getReason());
                });
    }

    private static LimitDirective first(List<LimitDirective> directives, DirectiveKind kind) {
        return directives.stream().filter(d -> d.getKind() == kind).findFirst().orElse(null);
    }

    private static boolean isRate(LimitDirective directive) {
        return directive.getKind() == DirectiveKind.RATE_SHARE || directive.getKind() == DirectiveKind.ADAPTIVE_LIMIT
                || directive.getKind() == DirectiveKind.OPERATOR_LIMIT;
    }
}
