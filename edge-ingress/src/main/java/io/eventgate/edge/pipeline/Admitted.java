package io.eventgate.edge.pipeline;

/** Proof that an exchange passed every admission step; made by {@link Pipeline} alone. */
public final class Admitted {
    private final Exchange exchange;

    Admitted(Exchange exchange) {
        this.exchange = exchange;
    }

    public Exchange exchange() {
        return exchange;
    }
}
