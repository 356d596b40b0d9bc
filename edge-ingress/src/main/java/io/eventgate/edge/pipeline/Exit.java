package io.eventgate.edge.pipeline;

/**
 * The protocol-specific end of the pipeline: what happens to a request that every admission step let through
 * (proxy it, relay a WebSocket session). An exit is only ever handed an {@link Admitted} request, which only
 * {@link Pipeline} makes, so no protocol can serve a request that did not pass admission.
 */
@FunctionalInterface
public interface Exit {
    void serve(Admitted admitted);
}
