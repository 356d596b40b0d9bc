package io.eventgate.edge.transform;

import io.eventgate.edge.pipeline.ClientConnection;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Protocol;
import io.eventgate.edge.pipeline.Step;
import io.eventgate.policy.model.RoutePolicies;

/**
 * A route's JSON body edits ({@code transform.requestBody}, {@code transform.responseBody}): the request and its answer
 * go through a connection that edits JSON bodies within {@code transform.maxBodyBytes} and streams the others.
 */
public final class JsonBodyStep implements Step {
    @Override
    public void handle(Exchange exchange, Chain next) {
        RoutePolicies.Transform transform = exchange.route().settings().transform();
        if (transform == null || transform.requestBody() == null && transform.responseBody() == null || exchange.protocol() != Protocol.HTTP) {
            next.proceed(exchange);
            return;
        }
        ClientConnection client = exchange.client();
        exchange.divertClient(new JsonBodyConnection(client, transform, exchange.header("content-type")));
        try {
            next.proceed(exchange);
        } finally {
            exchange.divertClient(client);
        }
    }
}
