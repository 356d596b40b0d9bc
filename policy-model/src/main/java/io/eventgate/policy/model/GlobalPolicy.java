package io.eventgate.policy.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What holds for every route, plan and consumer, whatever their own settings say: a cap on any rate limit
 * ({@code maxRatePerSecond}), whether every route requires credentials ({@code requireAuthentication}), and
 * client addresses refused everywhere ({@code denyClients}, CIDR ranges), and the organisation's {@link Governance}
 * rules for routes. A more specific layer may tighten
 * it but never loosen it: policy-streams refuses routes and plans that would, and the edge applies it on top
 * of whatever its YAML says.
 */
public record GlobalPolicy(Double maxRatePerSecond, Boolean requireAuthentication, List<String> denyClients, Governance governance) {
    /** The one global policy's entity id: {@code global:global}. */
    public static final String ENTITY_ID = "global";
    /** No global constraint. */
    public static final GlobalPolicy NONE = new GlobalPolicy(null, false, List.of(), Governance.NONE);

    public GlobalPolicy {
        if (maxRatePerSecond != null && !(maxRatePerSecond > 0)) {
            throw new IllegalArgumentException("maxRatePerSecond must be above 0, was " + maxRatePerSecond);
        }
        requireAuthentication = Boolean.TRUE.equals(requireAuthentication);
        denyClients = List.copyOf(Check.orDefault(denyClients, List.of()));
        AddressRanges.of(denyClients, "denyClients");
        governance = Check.orDefault(governance, Governance.NONE);
    }

    public GlobalPolicy(Double maxRatePerSecond, Boolean requireAuthentication, List<String> denyClients) {
        this(maxRatePerSecond, requireAuthentication, denyClients, null);
    }

    /** The addresses refused everywhere, parsed (the edge parses them once per snapshot). */
    public AddressRanges deniedClients() {
        return AddressRanges.of(denyClients, "denyClients");
    }

    /** A rate as the global cap allows it. */
    public double cap(double ratePerSecond) {
        return maxRatePerSecond == null ? ratePerSecond : Math.min(ratePerSecond, maxRatePerSecond);
    }

    /** Why {@code route} would loosen this policy, field by field; empty when it does not. */
    public List<String> loosenedBy(RouteSettings route) {
        List<String> reasons = new ArrayList<>();
        if (requireAuthentication && Boolean.TRUE.equals(route.anonymous())) {
            reasons.add("anonymous: the route admits anonymous callers, and the global policy requires authentication");
        }
        RouteSettings.RateLimits limits = route.rateLimits();
        above(limits.route(), "rateLimits.route").ifPresent(reasons::add);
        above(limits.client(), "rateLimits.client").ifPresent(reasons::add);
        above(limits.consumer(), "rateLimits.consumer").ifPresent(reasons::add);
        return reasons;
    }

    /** Why {@code plan} would loosen this policy; empty when it does not. */
    public Optional<String> loosenedBy(PlanSettings plan) {
        return maxRatePerSecond != null && plan.ratePerSecond() > maxRatePerSecond
                ? Optional.of("ratePerSecond: " + plan.ratePerSecond() + " is above the global policy's maxRatePerSecond " + maxRatePerSecond)
                : Optional.empty();
    }

    private Optional<String> above(RouteSettings.Rate rate, String field) {
        return rate != null && maxRatePerSecond != null && rate.ratePerSecond() > maxRatePerSecond
                ? Optional.of(field + ".ratePerSecond: " + rate.ratePerSecond() + " is above the global policy's maxRatePerSecond " + maxRatePerSecond)
                : Optional.empty();
    }
}
