package io.eventgate.edge.pipeline;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The one way into the gateway: admission steps run in the order given, each deciding whether the rest runs,
 * and a request that passes them all leaves through the exit of its protocol. Every protocol must have an exit
 * when the pipeline is built, and an exit is reached only from here.
 */
public final class Pipeline {
    private final List<Step> steps;
    private final Map<Protocol, Exit> exits;
    /** What follows each step, made once: {@code rest[i]} runs the steps after step i, so a request allocates no chain. */
    private final Step.Chain[] rest;

    private Pipeline(List<Step> steps, Map<Protocol, Exit> exits) {
        this.steps = List.copyOf(steps);
        for (Protocol protocol : Protocol.values()) {
            if (!exits.containsKey(protocol)) {
                throw new IllegalArgumentException("no exit for protocol " + protocol + ": every protocol leaves through the pipeline");
            }
        }
        this.exits = new EnumMap<>(exits);
        this.rest = new Step.Chain[this.steps.size()];
        for (int i = 0; i < rest.length; i++) {
            int next = i + 1;
            rest[i] = exchange -> proceed(next, exchange);
        }
    }

    /** Admission {@code steps}, then the exit of each protocol. */
    public static Pipeline of(List<Step> steps, Map<Protocol, Exit> exits) {
        return new Pipeline(steps, exits);
    }

    public void run(Exchange exchange) {
        proceed(0, exchange);
    }

    private void proceed(int index, Exchange exchange) {
        if (index < steps.size()) {
            steps.get(index).handle(exchange, rest[index]);
        } else {
            exits.get(exchange.protocol()).serve(new Admitted(exchange));
        }
    }

    public List<String> stepNames() {
        List<String> names = new java.util.ArrayList<>(steps.stream().map(s -> s.getClass().getSimpleName()).toList());
        exits.forEach((protocol, exit) -> names.add(exit.getClass().getSimpleName() + " (" + protocol + ")"));
        return names;
    }
}
