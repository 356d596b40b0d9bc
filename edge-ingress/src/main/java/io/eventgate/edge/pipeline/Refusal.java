package io.eventgate.edge.pipeline;

import io.eventgate.avro.DecisionEvent;

/**
 * How a step refuses a request: the decision becomes the request's final one and the client gets the reply;
 * on a route in shadow mode the decision is published as a would-deny (shadow) DecisionEvent instead and the
 * request goes on, so a policy can be tried on live traffic before it is enforced.
 */
public final class Refusal {
    private Refusal() {
    }

    public static void refuse(Exchange exchange, Step.Chain next, DecisionEvent decision, Runnable reply) {
        if (exchange.route() != null && exchange.route().settings().shadow()) {
            decision.setShadow(true);
            exchange.decided(decision, false);
            next.proceed(exchange);
            return;
        }
        exchange.decided(decision, true);
        reply.run();
    }
}
