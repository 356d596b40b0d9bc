package io.eventgate.edge.pipeline;

import io.eventgate.avro.DecisionEvent;
import io.eventgate.avro.DecisionKind;
import java.util.UUID;

/** Builds the DecisionEvent of a non-allow decision about an exchange. */
public final class Decisions {
    private Decisions() {
    }

    public static DecisionEvent of(Exchange exchange, String node, DecisionKind kind, String policy, long policyVersion,
                                   Double limit, Double remaining, Long retryAfterSeconds, String reason, boolean shadow) {
        return DecisionEvent.newBuilder()
                .setDecisionId(UUID.randomUUID().toString())
                .setRequestId(exchange.requestId())
                .setTimestamp(java.time.Instant.now())
                .setNode(node)
                .setConsumerId(exchange.consumerId())
                .setRouteId(exchange.route() == null ? null : exchange.route().id())
                .setClientAddress(exchange.clientAddress())
                .setKind(kind)
                .setPolicy(policy)
                .setPolicyVersion(policyVersion)
                .setLimit(limit)
                .setRemaining(remaining)
                .setRetryAfterSeconds(retryAfterSeconds)
                .setReason(reason)
                .setShadow(shadow)
                .build();
    }
}
