package io.eventgate.edge.proxy;

import io.eventgate.edge.observe.EdgeTracing;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.transform.HeaderEditor;
import io.eventgate.edge.upstream.Instance;
import io.opentelemetry.api.trace.Span;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The request headers an upstream is sent, for every protocol alike: the client's, less hop-by-hop headers, the
 * gateway's own and the credential the gateway checked (unless the route forwards credentials), with the
 * route's edits of them; then the forwarding headers, the request id, the consumer's identity and the trace context,
 * set by the gateway, which no edit can change.
 */
public final class UpstreamHeaders {

    private UpstreamHeaders() {
    }

    /** Adds the headers of {@code exchange}'s request to {@code instance} to {@code head}, with {@code span}'s trace context. */
    public static UpstreamRequestHead write(Exchange exchange, Instance instance, EdgeTracing tracing, Span span, UpstreamRequestHead head) {
        write(exchange, instance, tracing, span, (BiConsumer<String, String>) head); // the head is its own sink: no lambda per request
        return head;
    }

    /** The same headers, each given to {@code head} (a gRPC call's metadata, where the transport's own are left out). */
    public static void write(Exchange exchange, Instance instance, EdgeTracing tracing, Span span, BiConsumer<String, String> head) {
        Set<String> named = HeaderHygiene.namedByConnection(exchange.headers().all("connection"));
        String apiKeyHeader = exchange.snapshot().settings().auth().apiKeyHeader();
        String consumed = exchange.route().settings().forwardCredentials() ? null : exchange.consumedCredentialHeader();
        HeaderEditor edits = exchange.route().requestHeaders();
        exchange.headers().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (HeaderHygiene.forwardRequestHeader(lower, named) && !name.equalsIgnoreCase(apiKeyHeader) && !lower.equals(consumed)
                    && !exchange.withheldFromUpstream(lower)) {
                edits.pass(name, values, head);
            }
        });
        edits.finish(head); // before the gateway's own headers, which no edit can change
        for (String[] header : exchange.upstreamHeaders()) {
            head.accept(header[0], header[1]);
        }
        head.accept("Host", exchange.route().settings().preserveHost() && exchange.authority() != null ? exchange.authority() : instance.address());
        long length = exchange.client().requestContentLength();
        if (exchange.client().hasRequestBody() && length >= 0) {
            head.accept("Content-Length", Long.toString(length));
        }
        Exchange.Forwarding forwarding = exchange.forwarding();
        head.accept("X-Forwarded-For", forwarding.forwardedFor());
        head.accept("X-Forwarded-Proto", forwarding.proto());
        if (forwarding.host() != null) {
            head.accept("X-Forwarded-Host", forwarding.host());
        }
        head.accept("Forwarded", HeaderHygiene.forwardedElement(exchange.clientAddress(), forwarding.proto(), forwarding.host()));
        head.accept("X-Request-Id", exchange.requestId());
        if (!exchange.consumerId().equals(Exchange.ANONYMOUS)) {
            head.accept("X-Consumer-Id", exchange.consumerId());
            head.accept("X-Consumer-Plan", exchange.plan());
            var groups = exchange.snapshot().settings().consumers().get(exchange.consumerId()).groups();
            if (!groups.isEmpty()) {
                head.accept("X-Consumer-Groups", String.join(",", groups));
            }
        }
        tracing.inject(span, head);
    }
}
