package io.eventgate.edge.pipeline;

import java.util.List;

/** The request pipeline: steps run in the order given, each deciding whether the rest runs. */
public final class Pipeline {
    private final List<Step> steps;

    private Pipeline(List<Step> steps) {
        this.steps = List.copyOf(steps);
    }

    public static Pipeline of(Step... steps) {
        return new Pipeline(List.of(steps));
    }

    public void run(Exchange exchange) {
        proceed(0, exchange);
    }

    private void proceed(int index, Exchange exchange) {
        if (index < steps.size()) {
            steps.get(index).handle(exchange, next -> proceed(index + 1, next));
        }
    }

    public List<String> stepNames() {
        return steps.stream().map(s -> s.getClass().getSimpleName()).toList();
    }
}
