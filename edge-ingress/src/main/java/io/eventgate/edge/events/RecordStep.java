package io.eventgate.edge.events;

import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.observe.AccessLog;
import io.eventgate.edge.observe.EdgeMetrics;
import io.eventgate.edge.observe.EdgeTracing;
import io.eventgate.edge.pipeline.EventSink;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Replies;
import io.eventgate.edge.pipeline.Step;
import io.eventgate.edge.proxy.TrustedProxies;
import io.opentelemetry.api.trace.Span;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The first step and the last word on every request: gives it an id, a trace and its client address,
 * records its admission, runs the rest of the pipeline, and whatever happened (answer, refusal, failure,
 * abort) emits exactly one RequestEvent and the request's DecisionEvents.
 */
public final class RecordStep implements Step {
    private static final Logger LOG = Logger.getLogger(RecordStep.class.getName());
    private static final Pattern VALID_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final String nodeId;
    private final TrustedProxies trustedProxies;
    private final EdgeTracing tracing;
    private final EventSink events;
    private final EdgeMetrics metrics;
    private final AccessLog accessLog;

    public RecordStep(String nodeId, TrustedProxies trustedProxies, EdgeTracing tracing, EventSink events, EdgeMetrics metrics,
                      AccessLog accessLog) {
        this.nodeId = nodeId;
        this.trustedProxies = trustedProxies;
        this.tracing = tracing;
        this.events = events;
        this.metrics = metrics;
        this.accessLog = accessLog;
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        identify(exchange);
        long admission = events.admit(exchange);
        metrics.requestStarted();
        try {
            next.proceed(exchange);
            if (exchange.status() == 0) {
                Replies.json(exchange, 500, RequestOutcome.OTHER, "internal", "the request was not answered");
            }
        } catch (RuntimeException e) {
            if (exchange.status() == 0) {
                LOG.log(Level.WARNING, "request " + exchange.requestId() + " on route " + routeId(exchange) + " failed", e);
                Replies.json(exchange, 502, RequestOutcome.UPSTREAM_FAILURE, "internal", "the gateway could not complete the request");
            }
            throw e; // lets the server cut a connection whose response was already under way
        } finally {
            long elapsed = System.nanoTime() - exchange.startNanos();
            Span span = exchange.span();
            span.setAttribute("http.request.method", exchange.method());
            span.setAttribute("http.response.status_code", exchange.status());
            span.setAttribute("http.route", routeId(exchange));
            span.end();
            if (!events.discards()) {
                events.complete(admission, requestEvent(exchange, elapsed), exchange.decisions());
            }
            metrics.requestFinished(routeId(exchange), exchange.status(), elapsed);
            if (exchange.grpcStatus() != null) {
                metrics.grpcCall(routeId(exchange), exchange.grpcStatus());
            }
            accessLog.record(exchange, elapsed);
        }
    }

    private void identify(Exchange exchange) {
        String inbound = exchange.header("x-request-id");
        exchange.requestId(inbound != null && VALID_REQUEST_ID.matcher(inbound).matches() ? inbound : RequestIds.next());
        String peer = exchange.peerAddress();
        List<String> forwardedFor = exchange.headers().all("x-forwarded-for");
        exchange.clientAddress(trustedProxies.clientAddress(peer, forwardedFor));
        if (trustedProxies.trusted(peer)) {
            String chain = forwardedFor.isEmpty() ? peer : String.join(", ", forwardedFor) + ", " + peer;
            String proto = exchange.header("x-forwarded-proto");
            String host = exchange.header("x-forwarded-host");
            exchange.forwarding(new Exchange.Forwarding(chain, proto != null ? proto : exchange.scheme(), host != null ? host : exchange.authority()));
        } else {
            exchange.forwarding(new Exchange.Forwarding(peer, exchange.scheme(), exchange.authority()));
        }
        exchange.span(tracing.startGatewaySpan(exchange.headers(), exchange.method()));
    }

    private RequestEvent requestEvent(Exchange exchange, long elapsedNanos) {
        Long upstreamNanos = exchange.upstreamLatencyNanos();
        return RequestEvent.newBuilder()
                .setRequestId(exchange.requestId())
                .setTraceId(exchange.traceId())
                .setTimestamp(exchange.receivedAt())
                .setNode(nodeId)
                .setRouteId(exchange.route() == null ? null : exchange.route().id())
                .setMethod(exchange.method())
                .setPath(exchange.path())
                .setHost(exchange.authority())
                .setStatus(exchange.status())
                .setGatewayLatencyMicros(elapsedNanos / 1_000)
                .setUpstreamLatencyMicros(upstreamNanos == null ? null : upstreamNanos / 1_000)
                .setBytesIn(exchange.bytesIn())
                .setBytesOut(exchange.bytesOut())
                .setConsumerId(exchange.consumerId())
                .setPlan(exchange.plan())
                .setClientAddress(exchange.clientAddress())
                .setUpstreamInstance(exchange.upstreamInstance())
                .setRetries(exchange.retries())
                .setOutcome(exchange.outcome())
                .setDecision(exchange.decision())
                .setDecidingPolicy(exchange.decidingPolicy())
                .setFailedCredential(exchange.failedCredential())
                .setInjectedFault(exchange.injectedFault())
                .setCache(exchange.cacheResult())
                .setDeprecated(exchange.deprecated())
                .setVariant(exchange.variant())
                .setHedged(exchange.isHedged())
                .setGrpcStatus(exchange.grpcStatus())
                .build();
    }

    private static String routeId(Exchange exchange) {
        return exchange.route() == null ? "-" : exchange.route().id();
    }
}
