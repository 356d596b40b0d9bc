package io.eventgate.edge.routing;

import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Replies;
import io.eventgate.edge.pipeline.Step;

/** Normalises the request path (see {@link PathNormalizer}); a path that cannot be made safe gets 400. */
public final class NormalizeStep implements Step {
    @Override
    public void handle(Exchange exchange, Chain next) {
        try {
            exchange.normalizedPath(PathNormalizer.normalize(exchange.rawPath()));
        } catch (BadRequestPath e) {
            Replies.json(exchange, 400, RequestOutcome.REJECTED, "bad_path", e.getMessage());
            return;
        }
        next.proceed(exchange);
    }
}
