package io.eventgate.edge.routing;

import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Replies;
import io.eventgate.edge.pipeline.Step;
import java.util.Optional;

/** Finds the request's route in the active snapshot; no match answers 404 with a JSON body. */
public final class RouteStep implements Step {
    @Override
    public void handle(Exchange exchange, Chain next) {
        Optional<RouteTable.Match> match = exchange.snapshot().routes().match(exchange);
        if (match.isEmpty()) {
            Replies.json(exchange, 404, RequestOutcome.NO_ROUTE, "no_route", "no route matches " + exchange.method() + " " + exchange.path());
            return;
        }
        exchange.routed(match.get());
        next.proceed(exchange);
    }
}
