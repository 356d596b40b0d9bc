package io.eventgate.policy.model;

/**
 * A plan: the request rate its consumers may sustain, the burst they may spend at once, and how many
 * billable requests each may make per UTC calendar day (0: no daily quota).
 */
public record PlanSettings(double ratePerSecond, double burst, long dailyQuota) {
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
    }

    public PlanSettings(double ratePerSecond, double burst) {
        this(ratePerSecond, burst, 0);
    }
}
