package io.eventgate.edge.limits;

import io.eventgate.avro.DecisionKind;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.pipeline.Decisions;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Refusal;
import io.eventgate.edge.pipeline.Replies;
import io.eventgate.edge.pipeline.Step;
import io.eventgate.policy.model.PlanSettings;
import java.util.function.BooleanSupplier;

/**
 * Quotas are enforced from the quota state on {@code gateway.limits}. When this node cannot reach it, a plan
 * with {@code quotaFailClosed} refuses its consumers with 503 (the quota may be spent); other plans fail open
 * and admit them on the node's last known state.
 */
public final class QuotaFailClosedStep implements Step {
    private final String nodeId;
    private final BooleanSupplier limitsReachable;

    public QuotaFailClosedStep(String nodeId, BooleanSupplier limitsReachable) {
        this.nodeId = nodeId;
        this.limitsReachable = limitsReachable;
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        PlanSettings settings = exchange.planSettings();
        if (settings == null || !settings.quotaFailClosed() || !settings.hasQuota() || limitsReachable.getAsBoolean()) {
            next.proceed(exchange);
            return;
        }
        Refusal.refuse(exchange, next, Decisions.of(exchange, nodeId, DecisionKind.DENY, "plan:" + exchange.plan() + "/quota", exchange.snapshot().version(),
                null, null, 5L, "the quota state on gateway.limits is unreachable and plan " + exchange.plan() + " fails closed", false), () -> {
                    exchange.client().header("Retry-After", "5");
                    Replies.json(exchange, 503, RequestOutcome.DENIED, "quota_unavailable", "the quota cannot be checked right now; retry later");
                });
    }
}
