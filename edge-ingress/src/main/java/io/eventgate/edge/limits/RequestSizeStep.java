package io.eventgate.edge.limits;

import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.config.ServerSettings;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Replies;
import io.eventgate.edge.pipeline.Step;

/**
 * Refuses requests over the configured size limits with the status each one calls for: a header block
 * too large gets 431, a request target too long 414, a declared body too large 413. (The HTTP server
 * enforces looser hard limits below this step, so that these answers, and their events, come from here.)
 */
public final class RequestSizeStep implements Step {
    private final ServerSettings limits;

    public RequestSizeStep(ServerSettings limits) {
        this.limits = limits;
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        int target = exchange.rawPath().length() + (exchange.rawQuery() == null ? 0 : exchange.rawQuery().length() + 1);
        if (target > limits.maxUriBytes()) {
            Replies.json(exchange, 414, RequestOutcome.REJECTED, "uri_too_long",
                    "the request target is " + target + " bytes; the limit is " + limits.maxUriBytes());
            return;
        }
        long headerBytes = headerBytes(exchange);
        if (headerBytes > limits.maxHeaderBytes()) {
            Replies.json(exchange, 431, RequestOutcome.REJECTED, "headers_too_large",
                    "the request headers are " + headerBytes + " bytes; the limit is " + limits.maxHeaderBytes());
            return;
        }
        long declared = exchange.client().requestContentLength();
        if (declared > limits.maxBodyBytes()) {
            Replies.json(exchange, 413, RequestOutcome.REJECTED, "body_too_large",
                    "the request body is " + declared + " bytes; the limit is " + limits.maxBodyBytes());
            return;
        }
        next.proceed(exchange);
    }

    private static long headerBytes(Exchange exchange) {
        long[] total = {0};
        exchange.headers().forEach((name, values) -> {
            for (String value : values) {
                total[0] += name.length() + 2 + value.length() + 2;
            }
        });
        return total[0];
    }
}
