package io.eventgate.anomaly.canary;

import com.datadoghq.sketch.ddsketch.DDSketch;
import io.eventgate.policy.model.DetectorSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Judges one closed window of a weighted split: each minority variant against the variant that took the most requests
 * (the main one), over the same window, so that time of day and load cancel out. Two one-sided tests, each needing at
 * least {@code minimumRequests} requests of both variants:
 * <ul>
 *   <li>errors: the two-proportion z test of the variants' 5xx rates, significant at z ≥ {@code sensitivity}, and the
 *   canary's rate at least {@code minimumExcess} percentage points above the main one's;</li>
 *   <li>latency: the share of the canary's requests slower than the main variant's 95th percentile, against the 5 % it
 *   would be if both answered alike (a binomial z test), significant at z ≥ {@code sensitivity}, and the canary's 95th
 *   percentile at least {@code minimumRatio} × the main one's.</li>
 * </ul>
 */
public final class CanaryJudge {
    private static final double TAIL = 0.05;

    private CanaryJudge() {
    }

    /** A variant found worse than the main one, and why. */
    public record Regression(String variant, String main, String test, double z, String explanation) {
    }

    public static List<Regression> judge(String route, VariantWindow window, DetectorSettings settings) {
        Map<String, VariantWindow.Variant> variants = window.variants();
        if (variants.size() < 2) {
            return List.of();
        }
        String main = variants.entrySet().stream().max(Map.Entry.comparingByValue((a, b) -> Long.compare(a.requests(), b.requests())))
                .orElseThrow().getKey();
        VariantWindow.Variant stable = variants.get(main);
        List<Regression> regressions = new ArrayList<>();
        for (Map.Entry<String, VariantWindow.Variant> entry : variants.entrySet()) {
            VariantWindow.Variant canary = entry.getValue();
            if (entry.getKey().equals(main) || canary.requests() < settings.minimumRequests() || stable.requests() < settings.minimumRequests()) {
                continue;
            }
            double errorsZ = twoProportionZ(canary.errors(), canary.requests(), stable.errors(), stable.requests());
            double excessPoints = (canary.errorRate() - stable.errorRate()) * 100;
            if (errorsZ >= settings.sensitivity() && excessPoints >= settings.minimumExcess()) {
                regressions.add(new Regression(entry.getKey(), main, "errors", errorsZ, String.format(Locale.ROOT,
                        "route %s: variant %s answered %.1f %% 5xx (%d of %d) against %.1f %% (%d of %d) of main variant %s in the same window;"
                                + " two-proportion z = %.1f >= %.1f", route, entry.getKey(), canary.errorRate() * 100, canary.errors(),
                        canary.requests(), stable.errorRate() * 100, stable.errors(), stable.requests(), main, errorsZ, settings.sensitivity())));
                continue;
            }
            double mainP95 = stable.latencies().getValueAtQuantile(0.95);
            double canaryP95 = canary.latencies().getValueAtQuantile(0.95);
            double slower = shareAbove(canary.latencies(), mainP95);
            double latencyZ = (slower - TAIL) / Math.sqrt(TAIL * (1 - TAIL) / canary.requests());
            if (latencyZ >= settings.sensitivity() && canaryP95 >= settings.minimumRatio() * Math.max(mainP95, 1)) {
                regressions.add(new Regression(entry.getKey(), main, "latency", latencyZ, String.format(Locale.ROOT,
                        "route %s: variant %s p95 %.1f ms against %.1f ms of main variant %s in the same window; %.0f %% of its %d requests"
                                + " were slower than the main p95 (5 %% if alike), binomial z = %.1f >= %.1f", route, entry.getKey(),
                        canaryP95 / 1000, mainP95 / 1000, main, slower * 100, canary.requests(), latencyZ, settings.sensitivity())));
            }
        }
        return regressions;
    }

    /** z of the one-sided test that proportion a exceeds proportion b; 0 when the pooled proportion leaves nothing to test. */
    static double twoProportionZ(long errorsA, long requestsA, long errorsB, long requestsB) {
        double pooled = (double) (errorsA + errorsB) / (requestsA + requestsB);
        if (pooled <= 0 || pooled >= 1) {
            return 0;
        }
        double difference = (double) errorsA / requestsA - (double) errorsB / requestsB;
        return difference / Math.sqrt(pooled * (1 - pooled) * (1.0 / requestsA + 1.0 / requestsB));
    }

    /** The share of a sketch's values above {@code value}, by bisecting its quantiles (to the sketch's relative accuracy). */
    static double shareAbove(DDSketch sketch, double value) {
        if (sketch.getCount() == 0 || value < sketch.getMinValue()) {
            return sketch.getCount() == 0 ? 0 : 1;
        }
        if (value >= sketch.getMaxValue()) {
            return 0;
        }
        double low = 0;
        double high = 1;
        for (int i = 0; i < 30; i++) {
            double middle = (low + high) / 2;
            if (sketch.getValueAtQuantile(middle) <= value) {
                low = middle;
            } else {
                high = middle;
            }
        }
        return 1 - low;
    }
}
