package io.eventgate.policy.model;

import java.util.List;

/**
 * A plan: the request rate its consumers may sustain, the burst they may spend at once, how many billable
 * requests each may make per calendar day and per calendar month (0: no such quota), and the fractions of a
 * quota at which consumers are warned before it runs out.
 */
public record PlanSettings(double ratePerSecond, double burst, long dailyQuota, long monthlyQuota, List<Double> warningThresholds) {
    public PlanSettings {
        if (!(ratePerSecond > 0) || ratePerSecond > 1_000_000) {
            throw new IllegalArgumentException("ratePerSecond must be above 0 and at most 1000000, was " + ratePerSecond);
        }
        burst = burst == 0 ? ratePerSecond : burst;
        if (burst < 1 || burst > 10_000_000) {
            throw new IllegalArgumentException("burst must be between 1 and 10000000, was " + burst);
        }
        if (dailyQuota < 0) {
            throw new IllegalArgumentException("dailyQuota must be 0 (none) or more, was " + dailyQuota);
        }
        if (monthlyQuota < 0) {
            throw new IllegalArgumentException("monthlyQuota must be 0 (none) or more, was " + monthlyQuota);
        }
        warningThresholds = List.copyOf(warningThresholds == null ? List.of(0.8) : warningThresholds.stream().sorted().toList());
        for (double threshold : warningThresholds) {
            if (!(threshold > 0 && threshold < 1)) {
                throw new IllegalArgumentException("warningThresholds are fractions of the quota between 0 and 1 (0.8 for 80 %), found " + threshold);
            }
        }
    }

    public PlanSettings(double ratePerSecond, double burst, long dailyQuota) {
        this(ratePerSecond, burst, dailyQuota, 0, null);
    }

    public PlanSettings(double ratePerSecond, double burst) {
        this(ratePerSecond, burst, 0);
    }
}
