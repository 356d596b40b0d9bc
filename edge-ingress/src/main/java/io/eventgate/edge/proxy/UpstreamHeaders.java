package io.eventgate.edge.proxy;

import io.eventgate.edge.observe.EdgeTracing;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.upstream.Instance;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.WritableHeaders;
import io.opentelemetry.api.trace.Span;
import java.util.Locale;
import java.util.Set;

/**
 * The request headers an upstream is sent, for every protocol alike: the client's, less hop-by-hop headers, the
 * gateway's own and the credential the gateway checked (unless the route forwards credentials); then the
 * forwarding headers, the request id, the consumer's identity and the trace context, set by the gateway.
 */
public final class UpstreamHeaders {
    private static final HeaderName X_FORWARDED_FOR = HeaderNames.create("X-Forwarded-For");
    private static final HeaderName X_FORWARDED_PROTO = HeaderNames.create("X-Forwarded-Proto");
    private static final HeaderName X_FORWARDED_HOST = HeaderNames.create("X-Forwarded-Host");
    private static final HeaderName FORWARDED = HeaderNames.create("Forwarded");
    private static final HeaderName X_REQUEST_ID = HeaderNames.create("X-Request-Id");
    private static final HeaderName X_CONSUMER_ID = HeaderNames.create("X-Consumer-Id");
    private static final HeaderName X_CONSUMER_PLAN = HeaderNames.create("X-Consumer-Plan");
    private static final HeaderName X_CONSUMER_GROUPS = HeaderNames.create("X-Consumer-Groups");

    private UpstreamHeaders() {
    }

    /** The headers of {@code exchange}'s request to {@code instance}, with {@code span}'s trace context. */
    public static WritableHeaders<?> of(Exchange exchange, Instance instance, EdgeTracing tracing, Span span) {
        WritableHeaders<?> out = WritableHeaders.create();
        Set<String> named = HeaderHygiene.namedByConnection(exchange.headers().all("connection"));
        String apiKeyHeader = exchange.snapshot().settings().auth().apiKeyHeader().toLowerCase(Locale.ROOT);
        String consumed = exchange.route().settings().forwardCredentials() ? null : exchange.consumedCredentialHeader();
        exchange.headers().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (HeaderHygiene.forwardRequestHeader(lower, named) && !lower.equals(apiKeyHeader) && !lower.equals(consumed)) {
                out.add(HeaderNames.create(name), values.toArray(String[]::new));
            }
        });
        out.set(HeaderNames.HOST, exchange.route().settings().preserveHost() && exchange.authority() != null ? exchange.authority() : instance.address());
        long length = exchange.client().requestContentLength();
        if (exchange.client().hasRequestBody() && length >= 0) {
            out.set(HeaderNames.CONTENT_LENGTH, Long.toString(length));
        }
        Exchange.Forwarding forwarding = exchange.forwarding();
        out.set(X_FORWARDED_FOR, forwarding.forwardedFor());
        out.set(X_FORWARDED_PROTO, forwarding.proto());
        if (forwarding.host() != null) {
            out.set(X_FORWARDED_HOST, forwarding.host());
        }
        out.set(FORWARDED, HeaderHygiene.forwardedElement(exchange.clientAddress(), forwarding.proto(), forwarding.host()));
        out.set(X_REQUEST_ID, exchange.requestId());
        if (!exchange.consumerId().equals(Exchange.ANONYMOUS)) {
            out.set(X_CONSUMER_ID, exchange.consumerId());
            out.set(X_CONSUMER_PLAN, exchange.plan());
            var groups = exchange.snapshot().settings().consumers().get(exchange.consumerId()).groups();
            if (!groups.isEmpty()) {
                out.set(X_CONSUMER_GROUPS, String.join(",", groups));
            }
        }
        tracing.inject(span, (key, value) -> out.set(HeaderNames.create(key), value));
        return out;
    }
}
