package io.eventgate.edge.routing;

import io.eventgate.policy.model.PathPattern;
import io.eventgate.policy.model.RouteSettings;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Routes ordered by specificity; the first that matches wins. Precedence, most decisive first:
 * <ol>
 *   <li>host: exact, then {@code *.suffix} (longer suffix first), then routes without a host;</li>
 *   <li>path: exact, then template, then prefix; within a kind, more literal characters first, then more segments;</li>
 *   <li>a route restricted to methods before one that is not;</li>
 *   <li>more header conditions first;</li>
 *   <li>declaration order.</li>
 * </ol>
 */
public final class RouteTable {
    /** A routed request: the route and the values of its path template variables. */
    public record Match(Route route, Map<String, String> pathVariables) {
    }

    private record Entry(Route route, HostPattern host, PathPattern path, int order) {
    }

    private static final Comparator<Entry> PRECEDENCE = Comparator
            .comparingInt((Entry e) -> -e.host().rank())
            .thenComparingInt(e -> -e.host().length())
            .thenComparingInt(e -> -e.path().kind().ordinal())
            .thenComparingInt(e -> -e.path().literalLength())
            .thenComparingInt(e -> -e.path().segmentCount())
            .thenComparingInt(e -> -e.route().methodConditions())
            .thenComparingInt(e -> -e.route().headerConditions())
            .thenComparingInt(Entry::order);

    private final List<Entry> entries;
    private final Map<String, Route> byId;

    private RouteTable(List<Entry> entries, Map<String, Route> byId) {
        this.entries = entries;
        this.byId = byId;
    }

    public static RouteTable of(List<RouteSettings> routes) {
        List<Entry> entries = new ArrayList<>();
        Map<String, Route> byId = new HashMap<>();
        for (int i = 0; i < routes.size(); i++) {
            Route route = new Route(routes.get(i));
            byId.put(route.id(), route);
            List<HostPattern> hosts = route.settings().match().hosts().isEmpty()
                    ? List.of(HostPattern.ANY)
                    : route.settings().match().hosts().stream().map(HostPattern::new).toList();
            for (HostPattern host : hosts) {
                for (String path : route.settings().match().paths()) {
                    entries.add(new Entry(route, host, PathPattern.parse(path), i));
                }
            }
        }
        entries.sort(PRECEDENCE);
        return new RouteTable(List.copyOf(entries), Map.copyOf(byId));
    }

    public Optional<Match> match(RequestView request) {
        for (Entry entry : entries) {
            if (!entry.host().matches(request.host()) || !entry.route().matchesMethod(request.method())) {
                continue;
            }
            Map<String, String> variables = new HashMap<>(4);
            if (entry.path().matches(request.path(), variables) && entry.route().matchesHeaders(request)) {
                return Optional.of(new Match(entry.route(), variables));
            }
        }
        return Optional.empty();
    }

    public Optional<Route> route(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    public List<String> routeIds() {
        return byId.keySet().stream().sorted().toList();
    }
}
