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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Enforces each identified consumer's plan with a token bucket per consumer; every answer carries the
 * IETF draft's {@code RateLimit-Limit}, {@code RateLimit-Remaining} and {@code RateLimit-Reset}, and a
 * refusal is a 429 with {@code Retry-After} and a THROTTLE DecisionEvent. Buckets outlive snapshots and
 * are rebuilt only when the consumer's plan changes.
 */
public final class RateLimitStep implements Step {
    private final String nodeId;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    public RateLimitStep(String nodeId) {
        this.nodeId = nodeId;
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        String plan = exchange.plan();
        PlanSettings settings = plan == null ? null : exchange.snapshot().settings().plans().get(plan);
        if (settings == null) {
            next.proceed(exchange); // anonymous callers are not on a plan
            return;
        }
        long now = System.nanoTime();
        TokenBucket bucket = buckets.compute(exchange.consumerId(), (id, existing) ->
                existing != null && existing.ratePerSecond() == settings.ratePerSecond() && existing.burst() == settings.burst()
                        ? existing
                        : new TokenBucket(settings.ratePerSecond(), settings.burst(), now));
        TokenBucket.Take take = bucket.take(now);
        ClientConnection client = exchange.client();
        client.header("RateLimit-Limit", Long.toString((long) settings.burst()));
        client.header("RateLimit-Remaining", Long.toString((long) take.remaining()));
        client.header("RateLimit-Reset", Long.toString((long) Math.ceil(take.secondsUntilFull())));
        if (take.allowed()) {
            next.proceed(exchange);
            return;
        }
        long retryAfter = Math.max(1, (long) Math.ceil(take.secondsUntilNextToken()));
        Refusal.refuse(exchange, next, Decisions.of(exchange, nodeId, DecisionKind.THROTTLE, "plan:" + plan + "/rate", exchange.snapshot().version(),
                settings.ratePerSecond(), 0.0, retryAfter,
                "consumer " + exchange.consumerId() + " is over plan " + plan + "'s " + settings.ratePerSecond() + " requests/s (burst "
                        + (long) settings.burst() + ")", false), () -> {
                    client.header("Retry-After", Long.toString(retryAfter));
                    Replies.json(exchange, 429, RequestOutcome.DENIED, "rate_limited", "too many requests; retry after " + retryAfter + " s");
                });
    }
}
