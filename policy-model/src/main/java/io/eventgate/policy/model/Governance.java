package io.eventgate.policy.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Rules an organisation sets for every route, as part of the global policy: policy-streams refuses a route command that
 * breaks one, naming the rule, and {@code ctl lint} checks a policy file against the same rules before it is applied.
 * Each rule is off unless set:
 * <ul>
 *   <li>{@code route-authenticates}: a route requires credentials ({@code anonymous: false}) unless tagged {@code public};</li>
 *   <li>{@code route-rate-limited}: a route has a rate limit of its own (route, client or consumer);</li>
 *   <li>{@code route-has-owner}: a route names its owner ({@code info.owner});</li>
 *   <li>{@code route-within-api-prefix}: a route names its API ({@code info.api}), one of {@code apiPrefixes}, and every
 *       path it matches lies under that API's prefix.</li>
 * </ul>
 */
public record Governance(Boolean routesAuthenticate, Boolean routesRateLimited, Boolean routesOwned, Map<String, String> apiPrefixes) {
    public static final Governance NONE = new Governance(false, false, false, Map.of());
    /** The tag that exempts a route from {@code route-authenticates}. */
    public static final String PUBLIC = "public";

    /** One rule a route breaks: the rule's name, the route's field at fault, and why. */
    public record Violation(String rule, String field, String message) {
        @Override
        public String toString() {
            return "rule '" + rule + "' (" + field + "): " + message;
        }
    }

    public Governance {
        routesAuthenticate = Boolean.TRUE.equals(routesAuthenticate);
        routesRateLimited = Boolean.TRUE.equals(routesRateLimited);
        routesOwned = Boolean.TRUE.equals(routesOwned);
        apiPrefixes = Map.copyOf(Check.orDefault(apiPrefixes, Map.of()));
        apiPrefixes.forEach((api, prefix) -> {
            if (prefix == null || !prefix.startsWith("/")) {
                throw new IllegalArgumentException("governance.apiPrefixes." + api + " must be a path prefix starting with '/', was '" + prefix + "'");
            }
        });
    }

    /** Every rule {@code route} breaks; empty when it keeps them all. */
    public List<Violation> check(RouteSettings route) {
        List<Violation> violations = new ArrayList<>();
        RoutePolicies.Info info = route.info() == null ? RoutePolicies.Info.NONE : route.info();
        if (routesAuthenticate && Boolean.TRUE.equals(route.anonymous()) && !info.tags().contains(PUBLIC)) {
            violations.add(new Violation("route-authenticates", "anonymous", "the route admits anonymous callers and is not tagged '" + PUBLIC + "'"));
        }
        RouteSettings.RateLimits limits = route.rateLimits();
        if (routesRateLimited && limits.route() == null && limits.client() == null && limits.consumer() == null) {
            violations.add(new Violation("route-rate-limited", "rateLimits", "the route has no rate limit (route, client or consumer)"));
        }
        if (routesOwned && (info.owner() == null || info.owner().isBlank())) {
            violations.add(new Violation("route-has-owner", "info.owner", "the route names no owner"));
        }
        if (!apiPrefixes.isEmpty()) {
            String prefix = info.api() == null ? null : apiPrefixes.get(info.api());
            if (prefix == null) {
                violations.add(new Violation("route-within-api-prefix", "info.api", info.api() == null ? "the route names no API"
                        : "API '" + info.api() + "' is not one of " + new java.util.TreeSet<>(apiPrefixes.keySet())));
            } else {
                List<String> paths = route.match().paths();
                for (int i = 0; i < paths.size(); i++) {
                    String path = paths.get(i);
                    if (!path.equals(prefix) && !path.startsWith(prefix.endsWith("/") ? prefix : prefix + "/")) {
                        violations.add(new Violation("route-within-api-prefix", "match.paths[" + i + "]",
                                "'" + path + "' lies outside API '" + info.api() + "''s prefix " + prefix));
                    }
                }
            }
        }
        return violations;
    }
}
