package io.eventgate.edge.pipeline;

import io.eventgate.avro.DecisionEvent;
import io.eventgate.avro.RequestEvent;

/** Where the pipeline hands its events; implementations must never block or throw on the request path. */
public interface EventSink {
    /** For nodes run with {@code events.enabled: false} (benchmark baselines): events go nowhere. */
    EventSink DISCARD = new EventSink() {
        @Override
        public void publish(RequestEvent event) {
        }

        @Override
        public void publish(DecisionEvent event) {
        }
    };

    void publish(RequestEvent event);

    void publish(DecisionEvent event);
}
