package io.eventgate.policy.shares;

import io.eventgate.avro.GlobalLimit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a global limit is divided among the live edge nodes: every node gets a floor, so a node that sees no
 * demand yet can still admit the first requests, and the rest goes in proportion to each node's offered
 * demand (equally when there is none). The shares add up to the limit.
 */
final class Shares {
    /** The part of a limit given out as floors, equally among the nodes. */
    static final double FLOOR = 0.1;

    /** One node's share: its rate and its part of the burst (at least one token, so a small share still admits). */
    record Share(double ratePerSecond, double burst) {
    }

    private Shares() {
    }

    /** The share of each node in {@code demand} (node id → offered requests per second, 0 for none). */
    static Map<String, Share> split(GlobalLimit limit, Map<String, Double> demand) {
        int nodes = demand.size();
        double total = demand.values().stream().mapToDouble(d -> Math.max(0, d)).sum();
        double floor = limit.getRatePerSecond() * FLOOR / nodes;
        double byDemand = limit.getRatePerSecond() - floor * nodes;
        Map<String, Share> shares = new LinkedHashMap<>();
        demand.forEach((node, offered) -> {
            double weight = total > 0 ? Math.max(0, offered) / total : 1.0 / nodes;
            double rate = floor + byDemand * weight;
            shares.put(node, new Share(rate, Math.max(1, limit.getBurst() * rate / limit.getRatePerSecond())));
        });
        return shares;
    }
}
