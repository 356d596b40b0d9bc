package io.eventgate.edge.traffic;

import io.eventgate.avro.DecisionKind;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.observe.EdgeMetrics;
import io.eventgate.edge.pipeline.Decisions;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Replies;
import io.eventgate.edge.pipeline.Step;
import io.eventgate.policy.model.RoutePolicies;
import java.util.Locale;
import java.util.Set;

/**
 * Cross-origin requests on routes with {@code cors}. A preflight ({@code OPTIONS} with
 * {@code Access-Control-Request-Method}) is answered here, before authentication, and never reaches the upstream:
 * 204 with the allowed method and headers, or 403 when the origin, method or a header is not allowed. An actual
 * request from an allowed origin goes on and its answer, whatever it is (refusals included, so a page can read
 * them), carries the {@code Access-Control-Allow-*} headers; from another origin it carries none.
 */
public final class CorsStep implements Step {
    /** Request headers a browser may send without asking (the CORS-safelisted ones). */
    private static final Set<String> SAFELISTED = Set.of("accept", "accept-language", "content-language", "content-type", "range");

    private final String nodeId;
    private final EdgeMetrics metrics;

    public CorsStep(String nodeId, EdgeMetrics metrics) {
        this.nodeId = nodeId;
        this.metrics = metrics;
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        RoutePolicies.Cors cors = exchange.route().settings().cors();
        String origin = exchange.header("origin");
        if (cors == null || origin == null) {
            next.proceed(exchange);
            return;
        }
        String requestedMethod = exchange.header("access-control-request-method");
        if (exchange.method().equals("OPTIONS") && requestedMethod != null) {
            preflight(exchange, cors, origin, requestedMethod);
            return;
        }
        if (cors.allows(origin)) {
            allowOrigin(exchange, cors, origin);
            if (!cors.exposeHeaders().isEmpty()) {
                exchange.responseHeader("Access-Control-Expose-Headers", String.join(", ", cors.exposeHeaders()));
            }
        }
        exchange.addResponseHeader("Vary", "Origin");
        next.proceed(exchange);
    }

    private void preflight(Exchange exchange, RoutePolicies.Cors cors, String origin, String method) {
        String requestedHeaders = exchange.header("access-control-request-headers");
        String refusal = !cors.allows(origin) ? "origin " + origin + " is not allowed"
                : !cors.allowMethods().contains(method.toUpperCase(Locale.ROOT)) ? "method " + method + " is not allowed"
                : refusedHeader(cors, requestedHeaders);
        exchange.addResponseHeader("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
        metrics.corsPreflight(exchange.route().id(), refusal == null);
        if (refusal != null) {
            exchange.decided(Decisions.of(exchange, nodeId, DecisionKind.DENY, "route:" + exchange.route().id() + "/cors", 0, null, null, null,
                    "CORS preflight refused: " + refusal, false), true);
            Replies.json(exchange, 403, RequestOutcome.DENIED, "cors_refused", "cross-origin request refused: " + refusal);
            return;
        }
        allowOrigin(exchange, cors, origin);
        exchange.responseHeader("Access-Control-Allow-Methods", String.join(", ", cors.allowMethods()));
        if (requestedHeaders != null && !requestedHeaders.isBlank()) {
            exchange.responseHeader("Access-Control-Allow-Headers", requestedHeaders);
        }
        exchange.responseHeader("Access-Control-Max-Age", Long.toString(cors.maxAge().toSeconds()));
        exchange.ended(204, RequestOutcome.ANSWERED);
        exchange.client().status(204);
        exchange.client().header("X-Request-Id", exchange.requestId());
        exchange.writeResponseHeaders();
        exchange.client().send(new byte[0]);
    }

    private static void allowOrigin(Exchange exchange, RoutePolicies.Cors cors, String origin) {
        // the origin itself rather than '*': correct with credentials, and one answer per origin is what Vary says
        exchange.responseHeader("Access-Control-Allow-Origin", origin);
        if (cors.allowCredentials()) {
            exchange.responseHeader("Access-Control-Allow-Credentials", "true");
        }
    }

    /** The first requested header the route does not allow, as a reason; null when all are allowed. */
    private static String refusedHeader(RoutePolicies.Cors cors, String requested) {
        if (requested == null || requested.isBlank() || cors.allowHeaders().contains("*")) {
            return null;
        }
        for (String header : requested.split(",")) {
            String name = header.trim().toLowerCase(Locale.ROOT);
            if (!name.isEmpty() && !SAFELISTED.contains(name) && cors.allowHeaders().stream().noneMatch(name::equalsIgnoreCase)) {
                return "header " + header.trim() + " is not allowed";
            }
        }
        return null;
    }
}
