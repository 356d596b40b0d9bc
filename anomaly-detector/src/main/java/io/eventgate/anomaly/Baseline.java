package io.eventgate.anomaly;

/**
 * An exponentially weighted mean and variance of a per-window count: what normal looks like for one key.
 * Anomalous windows are not folded in, so an attack cannot teach the baseline that it is normal.
 */
public record Baseline(double mean, double variance, long windows) {
    /** Weight of the newest window: about the last 20 windows count. */
    static final double ALPHA = 0.1;

    public static Baseline empty() {
        return new Baseline(0, 0, 0);
    }

    public Baseline update(double observed) {
        if (windows == 0) {
            return new Baseline(observed, 0, 1);
        }
        double delta = observed - mean;
        double nextMean = mean + ALPHA * delta;
        double nextVariance = (1 - ALPHA) * (variance + ALPHA * delta * delta);
        return new Baseline(nextMean, nextVariance, windows + 1);
    }

    public double stddev() {
        return Math.sqrt(variance);
    }

    /** How many standard deviations {@code observed} lies above the mean (with a floor on the deviation, so a flat baseline is not infinitely sensitive). */
    public double score(double observed) {
        return (observed - mean) / Math.max(stddev(), Math.max(1, 0.1 * mean));
    }

    public String encode() {
        return mean + "," + variance + "," + windows;
    }

    public static Baseline decode(String text) {
        if (text == null) {
            return empty();
        }
        String[] parts = text.split(",");
        return new Baseline(Double.parseDouble(parts[0]), Double.parseDouble(parts[1]), Long.parseLong(parts[2]));
    }
}
