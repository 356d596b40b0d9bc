package io.eventgate.edge.limits;

import io.eventgate.avro.DecisionKind;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.pipeline.ClientConnection;
import io.eventgate.edge.pipeline.Decisions;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Refusal;
import io.eventgate.edge.pipeline.Replies;
import io.eventgate.edge.pipeline.Step;
import io.eventgate.policy.model.GlobalPolicy;
import io.eventgate.policy.model.PlanSettings;
import io.eventgate.policy.model.RouteSettings;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Enforces rate limits with token buckets: each identified consumer's plan, and the route's own limits for
 * all its traffic, per client address and per consumer. Every answer carries the IETF draft's
 * {@code RateLimit-Limit}, {@code RateLimit-Remaining} and {@code RateLimit-Reset} of the limit closest to
 * running out; a refusal is a 429 with {@code Retry-After} and a THROTTLE DecisionEvent naming the limit.
 * Buckets outlive snapshots and are rebuilt only when their limit changes. No rate is above the global
 * policy's {@code maxRatePerSecond}, whatever the plan or route says.
 */
public final class RateLimitStep implements Step {
    /** Whose bucket a limit fills: its names are built only when it refuses, never on the way through. */
    private enum Kind {
        PLAN, ROUTE, CLIENT, CONSUMER_ON_ROUTE;

        String policy(Exchange exchange) {
            return switch (this) {
                case PLAN -> "plan:" + exchange.plan() + "/rate";
                case ROUTE -> "route:" + exchange.route().id() + "/rate";
                case CLIENT -> "route:" + exchange.route().id() + "/rate/client";
                case CONSUMER_ON_ROUTE -> "route:" + exchange.route().id() + "/rate/consumer";
            };
        }

        String subject(Exchange exchange) {
            return switch (this) {
                case ROUTE -> "route " + exchange.route().id();
                case CLIENT -> "client " + exchange.clientAddress();
                default -> "consumer " + exchange.consumerId();
            };
        }
    }

    /** One limit that applies to the request: whose it is, its bucket's key among that kind's, and its rate. */
    private record Applicable(Kind kind, String bucket, double ratePerSecond, double burst) {
    }

    private final String nodeId;
    private final Map<Kind, Map<String, TokenBucket>> buckets = new EnumMap<>(Kind.class);

    public RateLimitStep(String nodeId) {
        this.nodeId = nodeId;
        for (Kind kind : Kind.values()) {
            buckets.put(kind, new ConcurrentHashMap<>());
        }
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        List<Applicable> limits = applicable(exchange);
        if (limits.isEmpty()) {
            next.proceed(exchange);
            return;
        }
        long now = System.nanoTime();
        Applicable tightest = null;
        TokenBucket.Take tightestTake = null;
        Applicable refusing = null;
        TokenBucket.Take refusal = null;
        for (Applicable limit : limits) {
            TokenBucket bucket = buckets.get(limit.kind()).compute(limit.bucket(), (key, existing) ->
                    existing != null && existing.ratePerSecond() == limit.ratePerSecond() && existing.burst() == limit.burst()
                            ? existing
                            : new TokenBucket(limit.ratePerSecond(), limit.burst(), now));
            TokenBucket.Take take = bucket.take(now);
            if (tightestTake == null || take.remaining() < tightestTake.remaining()) {
                tightest = limit;
                tightestTake = take;
            }
            if (!take.allowed() && refusing == null) {
                refusing = limit;
                refusal = take;
            }
        }
        ClientConnection client = exchange.client();
        Applicable shown = refusing != null ? refusing : tightest;
        TokenBucket.Take shownTake = refusing != null ? refusal : tightestTake;
        client.header("RateLimit-Limit", Long.toString((long) shown.burst()));
        client.header("RateLimit-Remaining", Long.toString((long) shownTake.remaining()));
        client.header("RateLimit-Reset", Long.toString((long) Math.ceil(shownTake.secondsUntilFull())));
        if (refusing == null) {
            next.proceed(exchange);
            return;
        }
        long retryAfter = Math.max(1, (long) Math.ceil(refusal.secondsUntilNextToken()));
        Applicable limit = refusing;
        String policy = limit.kind().policy(exchange);
        Refusal.refuse(exchange, next, Decisions.of(exchange, nodeId, DecisionKind.THROTTLE, policy, exchange.snapshot().version(),
                limit.ratePerSecond(), 0.0, retryAfter, limit.kind().subject(exchange) + " is over " + policy + "'s " + limit.ratePerSecond()
                        + " requests/s (burst " + (long) limit.burst() + ")", false), () -> {
                    client.header("Retry-After", Long.toString(retryAfter));
                    Replies.json(exchange, 429, RequestOutcome.DENIED, "rate_limited", "too many requests; retry after " + retryAfter + " s");
                });
    }

    private static List<Applicable> applicable(Exchange exchange) {
        List<Applicable> limits = new ArrayList<>(4);
        PlanSettings settings = exchange.planSettings();
        GlobalPolicy global = exchange.snapshot().settings().globalPolicy();
        if (settings != null) {
            limits.add(new Applicable(Kind.PLAN, exchange.consumerId(), global.cap(settings.ratePerSecond()), settings.burst()));
        }
        String route = exchange.route().id();
        RouteSettings.RateLimits own = exchange.route().settings().rateLimits();
        if (own.route() != null) {
            limits.add(new Applicable(Kind.ROUTE, route, global.cap(own.route().ratePerSecond()), own.route().burst()));
        }
        if (own.client() != null) {
            limits.add(new Applicable(Kind.CLIENT, route + "|" + exchange.clientAddress(), global.cap(own.client().ratePerSecond()), own.client().burst()));
        }
        if (own.consumer() != null && !exchange.consumerId().equals(Exchange.ANONYMOUS)) {
            limits.add(new Applicable(Kind.CONSUMER_ON_ROUTE, route + "|" + exchange.consumerId(), global.cap(own.consumer().ratePerSecond()),
                    own.consumer().burst()));
        }
        return limits;
    }
}
