package io.eventgate.edge.limits;

import io.eventgate.avro.DecisionKind;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.pipeline.ClientConnection;
import io.eventgate.edge.pipeline.Decisions;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Refusal;
import io.eventgate.edge.pipeline.Replies;
import io.eventgate.edge.pipeline.Step;
import io.eventgate.policy.model.PlanSettings;
import io.eventgate.policy.model.RouteSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Enforces rate limits with token buckets: each identified consumer's plan, and the route's own limits for
 * all its traffic, per client address and per consumer. Every answer carries the IETF draft's
 * {@code RateLimit-Limit}, {@code RateLimit-Remaining} and {@code RateLimit-Reset} of the limit closest to
 * running out; a refusal is a 429 with {@code Retry-After} and a THROTTLE DecisionEvent naming the limit.
 * Buckets outlive snapshots and are rebuilt only when their limit changes.
 */
public final class RateLimitStep implements Step {
    /** One limit that applies to the request: its policy id, its bucket key, and its rate. */
    private record Applicable(String policy, String bucket, double ratePerSecond, double burst, String subject) {
    }

    private final String nodeId;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    public RateLimitStep(String nodeId) {
        this.nodeId = nodeId;
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
            TokenBucket bucket = buckets.compute(limit.bucket(), (key, existing) ->
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
        Refusal.refuse(exchange, next, Decisions.of(exchange, nodeId, DecisionKind.THROTTLE, limit.policy(), exchange.snapshot().version(),
                limit.ratePerSecond(), 0.0, retryAfter, limit.subject() + " is over " + limit.policy() + "'s " + limit.ratePerSecond()
                        + " requests/s (burst " + (long) limit.burst() + ")", false), () -> {
                    client.header("Retry-After", Long.toString(retryAfter));
                    Replies.json(exchange, 429, RequestOutcome.DENIED, "rate_limited", "too many requests; retry after " + retryAfter + " s");
                });
    }

    private static List<Applicable> applicable(Exchange exchange) {
        List<Applicable> limits = new ArrayList<>(4);
        String plan = exchange.plan();
        PlanSettings settings = plan == null ? null : exchange.snapshot().settings().plans().get(plan);
        boolean identified = !exchange.consumerId().equals(Exchange.ANONYMOUS);
        if (settings != null) {
            limits.add(new Applicable("plan:" + plan + "/rate", "plan|" + exchange.consumerId(), settings.ratePerSecond(), settings.burst(),
                    "consumer " + exchange.consumerId()));
        }
        String route = exchange.route().id();
        RouteSettings.RateLimits own = exchange.route().settings().rateLimits();
        if (own.route() != null) {
            limits.add(new Applicable("route:" + route + "/rate", "route|" + route, own.route().ratePerSecond(), own.route().burst(), "route " + route));
        }
        if (own.client() != null) {
            limits.add(new Applicable("route:" + route + "/rate/client", "client|" + route + "|" + exchange.clientAddress(), own.client().ratePerSecond(),
                    own.client().burst(), "client " + exchange.clientAddress()));
        }
        if (own.consumer() != null && identified) {
            limits.add(new Applicable("route:" + route + "/rate/consumer", "consumer|" + route + "|" + exchange.consumerId(),
                    own.consumer().ratePerSecond(), own.consumer().burst(), "consumer " + exchange.consumerId()));
        }
        return limits;
    }
}
