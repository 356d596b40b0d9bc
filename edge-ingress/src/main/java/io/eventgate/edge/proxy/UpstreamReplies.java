package io.eventgate.edge.proxy;

import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Replies;
import io.eventgate.edge.upstream.Instance;
import java.util.Locale;

/** What a client is told when its request found no upstream to take it, or the upstream failed it: for every exit alike. */
public final class UpstreamReplies {
    private UpstreamReplies() {
    }

    /** No instance of {@code pool} can take a request now: 503 with Retry-After. */
    public static void noInstance(Exchange exchange, String pool) {
        exchange.client().header("Retry-After", "1");
        Replies.json(exchange, 503, RequestOutcome.UPSTREAM_FAILURE, "no_upstream", "no healthy instance in pool " + pool);
    }

    /** {@code instance} gave no answer: the failure's status (502 or 504), its name and what happened. */
    public static void failed(Exchange exchange, UpstreamFailure failure, Instance instance) {
        Replies.json(exchange, failure.status(), failure.timeout() ? RequestOutcome.TIMEOUT : RequestOutcome.UPSTREAM_FAILURE,
                failure.name().toLowerCase(Locale.ROOT), "upstream " + instance.address() + " of pool " + instance.pool() + ": " + failure.description());
    }
}
