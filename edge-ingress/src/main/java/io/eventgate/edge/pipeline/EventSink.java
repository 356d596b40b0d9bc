package io.eventgate.edge.pipeline;

import io.eventgate.avro.DecisionEvent;
import io.eventgate.avro.RequestEvent;
import java.util.List;

/**
 * Where the pipeline records its requests: each one when it is admitted, and its events when it completes.
 * Implementations must never block or throw on the request path.
 */
public interface EventSink {
    /** For nodes run with {@code events.enabled: false} (benchmark baselines): events go nowhere. */
    EventSink DISCARD = new EventSink() {
        @Override
        public long admit(Exchange exchange) {
            return 0;
        }

        @Override
        public void complete(long admission, RequestEvent event, List<DecisionEvent> decisions) {
        }

        @Override
        public boolean discards() {
            return true;
        }
    };

    /**
     * Records that the request (identified, not yet handled) was admitted, so that it yields an event even if the
     * node dies before it completes. Returns the admission to hand to {@link #complete}.
     */
    long admit(Exchange exchange);

    /** Records how an admitted request ended: its decisions, then its RequestEvent, which closes the admission. */
    void complete(long admission, RequestEvent event, List<DecisionEvent> decisions);

    /** True when events go nowhere, so the request's event need not be built. */
    default boolean discards() {
        return false;
    }
}
