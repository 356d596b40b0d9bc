package io.eventgate.edge.pipeline;

import io.eventgate.avro.DecisionEvent;
import io.eventgate.avro.RequestEvent;

/** Where the pipeline hands its events; implementations must never block or throw on the request path. */
public interface EventSink {
    void publish(RequestEvent event);

    void publish(DecisionEvent event);
}
