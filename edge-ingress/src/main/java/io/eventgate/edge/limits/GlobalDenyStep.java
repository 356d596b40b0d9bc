package io.eventgate.edge.limits;

import io.eventgate.avro.DecisionKind;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.pipeline.Decisions;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Replies;
import io.eventgate.edge.pipeline.Step;

/**
 * Refuses, with 403, client addresses the global policy denies, before routing: whatever the path, a denied
 * client learns nothing about the routes. No route can loosen it, so not even a route in shadow mode lets
 * such a request pass.
 */
public final class GlobalDenyStep implements Step {
    private final String nodeId;

    public GlobalDenyStep(String nodeId) {
        this.nodeId = nodeId;
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        if (!exchange.snapshot().deniedClients().contains(exchange.clientAddress())) {
            next.proceed(exchange);
            return;
        }
        exchange.decided(Decisions.of(exchange, nodeId, DecisionKind.DENY, "global/denyClients", exchange.snapshot().version(), null, null, null,
                "client " + exchange.clientAddress() + " is in the global policy's denyClients", false), true);
        Replies.json(exchange, 403, RequestOutcome.DENIED, "forbidden", "requests from this address are not accepted");
    }
}
