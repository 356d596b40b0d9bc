package io.eventgate.edge.traffic;

import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.observe.EdgeMetrics;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Step;
import io.eventgate.policy.model.RoutePolicies;
import java.nio.charset.StandardCharsets;

/**
 * A route's fixed answer ({@code mock}) in place of any upstream: a stub, a maintenance page. It comes last, so the
 * request was authenticated and limited like any other, and its event says ANSWERED.
 */
public final class MockStep implements Step {
    private final EdgeMetrics metrics;

    public MockStep(EdgeMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        RoutePolicies.Mock mock = exchange.route().settings().mock();
        if (mock == null) {
            next.proceed(exchange);
            return;
        }
        byte[] body = mock.body().getBytes(StandardCharsets.UTF_8);
        metrics.mockAnswered(exchange.route().id());
        exchange.ended(mock.status(), RequestOutcome.ANSWERED);
        exchange.client().status(mock.status());
        mock.headers().forEach(exchange.client()::header);
        exchange.client().header("X-Request-Id", exchange.requestId());
        exchange.writeResponseHeaders();
        exchange.client().contentLength(body.length);
        exchange.client().send(body);
        exchange.addBytesOut(body.length);
    }
}
