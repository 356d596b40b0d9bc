package io.eventgate.policy.model;

/**
 * How one detector judges and acts. A window is anomalous when its value exceeds the baseline mean by
 * {@code sensitivity} standard deviations and by at least {@code minimumExcess} (for latency: when it is
 * also at least {@code minimumRatio} × the baseline), once {@code warmupWindows} windows of history exist.
 * With {@code act}, the detector's response is published as an expiring directive; {@code factor} scales it
 * (a throttle's multiple of the baseline rate, or the share of a route's traffic kept when shedding).
 *
 * <p>The canary detector compares the variants of a weighted split within one window instead of a baseline: a variant is
 * worse when a one-sided test's z score reaches {@code sensitivity}, with at least {@code minimumRequests} requests of
 * each variant in the window, and by at least {@code minimumExcess} percentage points of 5xx answers (errors) or
 * {@code minimumRatio} × the main variant's 95th percentile (latency).
 */
public record DetectorSettings(Boolean enabled, Double sensitivity, Double minimumExcess, Integer warmupWindows, Boolean act, Double factor,
                               Double minimumRatio, Integer minimumRequests) {
    public DetectorSettings(Boolean enabled, Double sensitivity, Double minimumExcess, Integer warmupWindows, Boolean act, Double factor,
                            Double minimumRatio) {
        this(enabled, sensitivity, minimumExcess, warmupWindows, act, factor, minimumRatio, null);
    }

    public DetectorSettings {
        if (minimumRequests != null && minimumRequests < 1) {
            throw new IllegalArgumentException("minimumRequests must be at least 1, was " + minimumRequests);
        }
        if (sensitivity != null && sensitivity <= 0) {
            throw new IllegalArgumentException("sensitivity must be above 0 standard deviations, was " + sensitivity);
        }
        if (minimumExcess != null && minimumExcess < 0) {
            throw new IllegalArgumentException("minimumExcess must not be negative, was " + minimumExcess);
        }
        if (warmupWindows != null && warmupWindows < 0) {
            throw new IllegalArgumentException("warmupWindows must not be negative, was " + warmupWindows);
        }
        if (factor != null && factor <= 0) {
            throw new IllegalArgumentException("factor must be above 0, was " + factor);
        }
        if (minimumRatio != null && minimumRatio < 1) {
            throw new IllegalArgumentException("minimumRatio must be at least 1, was " + minimumRatio);
        }
    }

    /** No field set: everything from the defaults. */
    public static DetectorSettings unset() {
        return new DetectorSettings(null, null, null, null, null, null, null);
    }

    /** These settings with every unset field taken from {@code defaults}. */
    public DetectorSettings over(DetectorSettings defaults) {
        return new DetectorSettings(or(enabled, defaults.enabled), or(sensitivity, defaults.sensitivity), or(minimumExcess, defaults.minimumExcess),
                or(warmupWindows, defaults.warmupWindows), or(act, defaults.act), or(factor, defaults.factor), or(minimumRatio, defaults.minimumRatio),
                or(minimumRequests, defaults.minimumRequests));
    }

    private static <T> T or(T value, T otherwise) {
        return value != null ? value : otherwise;
    }
}
