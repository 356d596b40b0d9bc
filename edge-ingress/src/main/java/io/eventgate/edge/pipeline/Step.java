package io.eventgate.edge.pipeline;

/**
 * One named step of the request pipeline. A step may answer the exchange itself and stop, or pass it to
 * the rest of the pipeline with {@code next.proceed(exchange)}, possibly doing work around it.
 */
@FunctionalInterface
public interface Step {
    void handle(Exchange exchange, Chain next);

    /** The rest of the pipeline after a step. */
    @FunctionalInterface
    interface Chain {
        void proceed(Exchange exchange);
    }
}
