package io.eventgate.edge.auth;

import io.eventgate.avro.DecisionKind;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.pipeline.Decisions;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Refusal;
import io.eventgate.edge.pipeline.Replies;
import io.eventgate.edge.pipeline.Step;

/** The route's client address lists ({@code access.allowClients}, {@code access.denyClients}): 403 before any credential is looked at. */
public final class ClientListStep implements Step {
    private final String nodeId;

    public ClientListStep(String nodeId) {
        this.nodeId = nodeId;
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        if (exchange.route().admits(exchange.clientAddress())) {
            next.proceed(exchange);
            return;
        }
        Refusal.refuse(exchange, next, Decisions.of(exchange, nodeId, DecisionKind.DENY, "route:" + exchange.route().id() + "/access/clients",
                exchange.snapshot().version(), null, null, null, "client " + exchange.clientAddress() + " is not admitted by the route's client lists", false),
                () -> Replies.json(exchange, 403, RequestOutcome.DENIED, "forbidden", "access to this resource is not allowed"));
    }
}
