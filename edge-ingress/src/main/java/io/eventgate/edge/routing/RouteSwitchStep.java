package io.eventgate.edge.routing;

import io.eventgate.avro.DecisionKind;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.pipeline.Decisions;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Replies;
import io.eventgate.edge.pipeline.Step;

/** The operator's emergency switch: a route switched off on the admin port answers 503 until switched back on. */
public final class RouteSwitchStep implements Step {
    private final String nodeId;

    public RouteSwitchStep(String nodeId) {
        this.nodeId = nodeId;
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        String routeId = exchange.route().id();
        if (exchange.snapshot().routeDisabled(routeId)) {
            exchange.decided(Decisions.of(exchange, nodeId, DecisionKind.ROUTE_DISABLED, "admin:route:" + routeId,
                    exchange.snapshot().version(), null, null, null, "route " + routeId + " is switched off by an operator", false), true);
            Replies.json(exchange, 503, RequestOutcome.DENIED, "route_disabled", "route " + routeId + " is temporarily disabled");
            return;
        }
        next.proceed(exchange);
    }
}
