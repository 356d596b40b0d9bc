package io.eventgate.policy.model;

import java.util.List;

/**
 * A plan: the request rate its consumers may sustain, the burst they may spend at once, how many billable
 * requests each may make per calendar day and per calendar month (0: no such quota), and the fractions of a
 * quota at which consumers are warned before it runs out. A global plan's rate and burst hold for all edge
 * nodes together: each node enforces the share that policy-streams computes from the nodes' demand, and its
 * full rate until the first share arrives. When an edge cannot reach the quota state on {@code gateway.limits},
 * a plan with {@code quotaFailClosed} refuses its consumers (503) rather than admit them unchecked. A consumer may hold
 * {@code maxStreams} event streams open at once on each edge node.
 */
public record PlanSettings(double ratePerSecond, double burst, long dailyQuota, long monthlyQuota, List<Double> warningThresholds, Boolean global,
                           Boolean quotaFailClosed, Integer maxStreams) {
    public static final int DEFAULT_MAX_STREAMS = 10;

    public PlanSettings {
        maxStreams = Check.range(Check.orDefault(maxStreams, DEFAULT_MAX_STREAMS), 0, 100_000, "maxStreams");
        global = Boolean.TRUE.equals(global);
        quotaFailClosed = Boolean.TRUE.equals(quotaFailClosed);
        burst = new RouteSettings.Rate(ratePerSecond, burst).burst(); // the same bounds as any rate
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

    public PlanSettings(double ratePerSecond, double burst, long dailyQuota, long monthlyQuota, List<Double> warningThresholds, Boolean global,
                        Boolean quotaFailClosed) {
        this(ratePerSecond, burst, dailyQuota, monthlyQuota, warningThresholds, global, quotaFailClosed, null);
    }

    public PlanSettings(double ratePerSecond, double burst, long dailyQuota, long monthlyQuota, List<Double> warningThresholds, Boolean global) {
        this(ratePerSecond, burst, dailyQuota, monthlyQuota, warningThresholds, global, false);
    }

    public PlanSettings(double ratePerSecond, double burst, long dailyQuota, long monthlyQuota, List<Double> warningThresholds) {
        this(ratePerSecond, burst, dailyQuota, monthlyQuota, warningThresholds, false);
    }

    /** Whether the plan has a daily or monthly quota. */
    public boolean hasQuota() {
        return dailyQuota > 0 || monthlyQuota > 0;
    }

    public PlanSettings(double ratePerSecond, double burst, long dailyQuota) {
        this(ratePerSecond, burst, dailyQuota, 0, null);
    }

    public PlanSettings(double ratePerSecond, double burst) {
        this(ratePerSecond, burst, 0);
    }
}
