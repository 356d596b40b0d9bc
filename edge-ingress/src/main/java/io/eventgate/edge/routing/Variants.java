package io.eventgate.edge.routing;

import io.eventgate.avro.DirectiveKind;
import io.eventgate.avro.LimitDirective;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.proxy.HashKey;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The destination pool of a request, for every exit alike: the route's one pool, or by weight on a split, sticky per the
 * route's {@code stickyOn}, never to a variant the anomaly detector rolled back (a ROLLBACK directive on
 * {@code route:ID@variant:POOL}) while another variant has weight. A split's choice is recorded as the request's variant.
 */
public final class Variants {
    private final Supplier<Map<String, List<LimitDirective>>> directives;

    public Variants(Supplier<Map<String, List<LimitDirective>>> directives) {
        this.directives = directives;
    }

    /** The scope of one variant of a route's split on gateway.limits. */
    public static String scope(String routeId, String pool) {
        return "route:" + routeId + "@variant:" + pool;
    }

    public String choose(Exchange exchange) {
        Route route = exchange.route();
        if (route.settings().upstreams().size() == 1) {
            return route.settings().upstreams().get(0).pool();
        }
        Map<String, List<LimitDirective>> current = directives.get();
        String key = HashKey.of(exchange, route.settings().stickyOn());
        String pool = current.isEmpty() ? route.choosePool(key) : route.choosePool(key, variant -> rolledBack(current, route.id(), variant));
        exchange.variant(pool);
        return pool;
    }

    /** Where a single-attempt exit (a WebSocket upgrade, a gRPC call) sends a request: the pool and its balancer's instance. */
    public record Target(io.eventgate.edge.upstream.UpstreamPool pool, io.eventgate.edge.upstream.Instance instance) {
    }

    /**
     * The pool of the request's variant and the instance its balancer picks, recorded on the exchange; empty when the pool
     * has no instance to take it, which is answered (503) here.
     */
    public java.util.Optional<Target> target(Exchange exchange) {
        io.eventgate.edge.upstream.UpstreamPool pool = exchange.snapshot().pool(choose(exchange));
        java.util.Optional<io.eventgate.edge.upstream.Instance> chosen = pool.choose(null, HashKey.of(exchange, pool.settings()));
        if (chosen.isEmpty()) {
            io.eventgate.edge.proxy.UpstreamReplies.noInstance(exchange, pool.name());
            return java.util.Optional.empty();
        }
        exchange.upstreamInstance(chosen.get().address());
        return java.util.Optional.of(new Target(pool, chosen.get()));
    }

    private static boolean rolledBack(Map<String, List<LimitDirective>> directives, String routeId, String pool) {
        List<LimitDirective> onVariant = directives.get(scope(routeId, pool));
        return onVariant != null && onVariant.stream().anyMatch(d -> d.getKind() == DirectiveKind.ROLLBACK);
    }
}
