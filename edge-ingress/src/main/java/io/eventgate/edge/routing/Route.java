package io.eventgate.edge.routing;

import io.eventgate.policy.model.AddressRanges;
import io.eventgate.edge.transform.HeaderEditor;
import io.eventgate.edge.transform.QueryEditor;
import io.eventgate.policy.model.RoutePolicies;
import io.eventgate.policy.model.RouteSettings;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** A route compiled from its settings: matchers ready to run, the weighted destinations, and the path rewrite. */
public final class Route {
    private final RouteSettings settings;
    private final Set<String> methods;
    private final Map<String, String> headers;
    private final int[] cumulativeWeights;
    private final AddressRanges allowClients;
    private final AddressRanges deniedClients;
    private final HeaderEditor requestHeaders;
    private final HeaderEditor responseHeaders;
    private final io.eventgate.edge.contract.Contract contract;

    public Route(RouteSettings settings) {
        this.settings = settings;
        this.allowClients = AddressRanges.of(settings.access().allowClients(), "access.allowClients");
        this.deniedClients = AddressRanges.of(settings.access().denyClients(), "access.denyClients");
        this.methods = Set.copyOf(settings.match().methods());
        Map<String, String> lowerCased = new java.util.HashMap<>();
        settings.match().headers().forEach((name, value) -> lowerCased.put(name.toLowerCase(Locale.ROOT), value));
        this.headers = Map.copyOf(lowerCased);
        RoutePolicies.Transform transform = settings.transform();
        this.requestHeaders = transform == null ? HeaderEditor.NONE : new HeaderEditor(transform.requestHeaders());
        this.responseHeaders = transform == null ? HeaderEditor.NONE : new HeaderEditor(transform.responseHeaders());
        this.contract = settings.contract() == null ? null : io.eventgate.edge.contract.Contract.load(settings.contract().openapi());
        List<RouteSettings.Destination> destinations = settings.upstreams();
        this.cumulativeWeights = new int[destinations.size()];
        int sum = 0;
        for (int i = 0; i < destinations.size(); i++) {
            sum += destinations.get(i).weight();
            cumulativeWeights[i] = sum;
        }
    }

    public String id() {
        return settings.id();
    }

    public RouteSettings settings() {
        return settings;
    }

    /** The route's OpenAPI document, compiled, or null when it has no contract. */
    public io.eventgate.edge.contract.Contract contract() {
        return contract;
    }

    /** Whether the route's client lists let {@code address} in: not denied, and allowed when there is an allow list. */
    public boolean admits(String address) {
        return !deniedClients.contains(address) && (allowClients.isEmpty() || allowClients.contains(address));
    }

    boolean matchesMethod(String method) {
        return methods.isEmpty() || methods.contains(method);
    }

    /** Header conditions: an exact value, or {@code "*"} for presence. Names are case-insensitive. */
    boolean matchesHeaders(RequestView request) {
        for (Map.Entry<String, String> condition : headers.entrySet()) {
            String actual = request.header(condition.getKey());
            if (actual == null || !matchesValue(condition.getValue(), actual)) {
                return false;
            }
        }
        return true;
    }

    /**
     * A header condition: {@code *} (present), {@code ;name=value} (a media type in the header carries that parameter, as
     * in {@code Accept: application/vnd.shop+json; version=2}, to select an API version), or the exact value.
     */
    static boolean matchesValue(String condition, String actual) {
        if (condition.equals("*")) {
            return true;
        }
        if (condition.startsWith(";") && condition.indexOf('=') > 1) {
            String name = condition.substring(1, condition.indexOf('=')).trim();
            String value = condition.substring(condition.indexOf('=') + 1).trim();
            for (String mediaType : actual.split(",")) {
                String[] parts = mediaType.split(";");
                for (int i = 1; i < parts.length; i++) {
                    int equals = parts[i].indexOf('=');
                    if (equals > 0 && parts[i].substring(0, equals).trim().equalsIgnoreCase(name)
                            && parts[i].substring(equals + 1).trim().replace("\"", "").equals(value)) {
                        return true;
                    }
                }
            }
            return false;
        }
        return condition.equals(actual);
    }

    int methodConditions() {
        return methods.isEmpty() ? 0 : 1;
    }

    int headerConditions() {
        return headers.size();
    }

    /** Picks a destination pool by weight (canary and blue/green splits). */
    public String choosePool() {
        return choosePool(null);
    }

    /**
     * The destination of a request whose sticky key (the route's {@code stickyOn}) is {@code key}: by weight, the same
     * key always to the same destination while the weights stand; at random by weight when it has none.
     */
    public String choosePool(String key) {
        List<RouteSettings.Destination> destinations = settings.upstreams();
        if (destinations.size() == 1) {
            return destinations.get(0).pool();
        }
        return pick(destinations, cumulativeWeights, key);
    }

    /**
     * The same, never to a destination {@code excluded} names (a canary rolled back) while another with weight is left;
     * the split's own weights when none would be.
     */
    public String choosePool(String key, java.util.function.Predicate<String> excluded) {
        List<RouteSettings.Destination> kept = settings.upstreams().stream().filter(d -> d.weight() > 0 && !excluded.test(d.pool())).toList();
        if (kept.isEmpty() || kept.size() == settings.upstreams().stream().filter(d -> d.weight() > 0).count()) {
            return choosePool(key);
        }
        int[] cumulative = new int[kept.size()];
        int sum = 0;
        for (int i = 0; i < kept.size(); i++) {
            sum += kept.get(i).weight();
            cumulative[i] = sum;
        }
        return pick(kept, cumulative, key);
    }

    private static String pick(List<RouteSettings.Destination> destinations, int[] cumulativeWeights, String key) {
        int total = cumulativeWeights[cumulativeWeights.length - 1];
        int pick = key == null ? ThreadLocalRandom.current().nextInt(total)
                : (int) Long.remainderUnsigned(io.eventgate.edge.upstream.Maglev.hash(key.getBytes(java.nio.charset.StandardCharsets.UTF_8), 0), total);
        for (int i = 0; i < cumulativeWeights.length; i++) {
            if (pick < cumulativeWeights[i]) {
                return destinations.get(i).pool();
            }
        }
        return destinations.get(destinations.size() - 1).pool();
    }

    /** Edits of the client's request headers on the way to the upstream. */
    public HeaderEditor requestHeaders() {
        return requestHeaders;
    }

    /** Edits of the upstream's response headers on the way to the client. */
    public HeaderEditor responseHeaders() {
        return responseHeaders;
    }

    /** The request target the upstream receives: its path ({@link #upstreamPath}) and the query, with the route's edits. */
    public String upstreamTarget(String normalizedPath, Map<String, String> pathVariables, String rawQuery) {
        RoutePolicies.Transform transform = settings.transform();
        String path = transform != null && transform.path() != null ? transform.expandPath(pathVariables) : upstreamPath(normalizedPath);
        String query = transform == null ? rawQuery : QueryEditor.apply(rawQuery, transform.query());
        return query == null || query.isEmpty() ? path : path + "?" + query;
    }

    /** The path the upstream receives: {@code stripPrefix} removed, then {@code addPrefix} prepended. */
    public String upstreamPath(String normalizedPath) {
        String path = normalizedPath;
        String strip = settings.stripPrefix();
        if (strip != null && (path.equals(strip) || path.startsWith(strip + "/"))) {
            path = path.substring(strip.length());
        }
        String add = settings.addPrefix();
        if (add != null) {
            path = add + path;
        }
        if (path.isEmpty()) {
            path = "/";
        }
        return path;
    }
}
