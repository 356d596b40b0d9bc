package io.eventgate.anomaly;

import io.eventgate.policy.model.DetectorSettings;
import io.eventgate.policy.model.DetectorTuning;
import io.eventgate.avro.AnomalyEvent;
import io.eventgate.avro.DirectiveKind;
import io.eventgate.avro.LimitDirective;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Judges one closed window of one scope against its baseline, and turns an anomaly into an explained
 * AnomalyEvent and, when its detector acts, an expiring directive. Anomalous windows are not learned, so an
 * attack cannot become the baseline.
 */
public final class Verdicts {
    /** The baseline to keep, and what the window produced (null when it was normal). */
    public record Judged(Baseline next, Detection detection) {
    }

    /** The settings in force under one tuning, recomputed only when the tuning changes. */
    private record InForce(DetectorTuning tuning, Map<Detector, DetectorSettings> detectors, boolean responds, Set<String> allowList) {
    }

    private static final Logger LOG = Logger.getLogger(Verdicts.class.getName());

    private final AnomalySettings settings;
    private final Supplier<DetectorTuning> tuning;
    private final double windowSeconds;
    private volatile InForce inForce;

    /** Judges with {@code settings}, under the operators' latest {@code tuning} (null until they send one). */
    public Verdicts(AnomalySettings settings, Supplier<DetectorTuning> tuning) {
        this.settings = settings;
        this.tuning = tuning;
        this.windowSeconds = settings.window().toSeconds();
        this.inForce = inForce(null);
    }

    public Verdicts(AnomalySettings settings) {
        this(settings, () -> null);
    }

    private InForce current() {
        DetectorTuning latest = tuning.get();
        InForce known = inForce;
        if (latest != known.tuning()) {
            known = inForce(latest);
            inForce = known;
            LOG.info("anomaly-detector tuning from the control topic now in force: responses " + (known.responds() ? "on" : "OFF")
                    + ", allow-list " + known.allowList() + ", detectors " + known.detectors());
        }
        return known;
    }

    private InForce inForce(DetectorTuning latest) {
        return new InForce(latest, settings.inForce(latest), settings.respondsUnder(latest), settings.allowListUnder(latest));
    }

    public boolean enabled(Detector detector) {
        return current().detectors().get(detector).enabled();
    }

    /** The settings of {@code detector} in force now. */
    public DetectorSettings settingsOf(Detector detector) {
        return current().detectors().get(detector);
    }

    /** Whether responses are on now. */
    public boolean responds() {
        return current().responds();
    }

    /**
     * @param observed      the window's value: a count, or for latency the 95th percentile in microseconds
     * @param scopeRequests every request of the scope in the window (what shedding keeps a share of)
     */
    public Judged judge(Detector detector, String scope, Baseline baseline, double observed, double scopeRequests, Instant start, Instant end) {
        InForce now = current();
        DetectorSettings tuning = now.detectors().get(detector);
        boolean anomalous = tuning.enabled()
                && baseline.windows() >= tuning.warmupWindows()
                && observed - baseline.mean() >= tuning.minimumExcess()
                && baseline.score(observed) >= tuning.sensitivity()
                && (tuning.minimumRatio() == null || observed >= tuning.minimumRatio() * Math.max(baseline.mean(), 1));
        if (!anomalous) {
            return new Judged(baseline.update(observed), null);
        }
        String explanation = explain(detector, scope, baseline, observed);
        LimitDirective directive = acts(now, detector, tuning, scope) ? directive(detector, tuning, scope, baseline, scopeRequests, explanation, end) : null;
        AnomalyEvent anomaly = AnomalyEvent.newBuilder()
                .setAnomalyId(detector.settingName() + ":" + scope + "@" + start.toEpochMilli())
                .setKind(detector.kind())
                .setScope(scope)
                .setObserved(display(detector, observed))
                .setBaseline(display(detector, baseline.mean()))
                .setBaselineStdDev(display(detector, baseline.stddev()))
                .setScore(baseline.score(observed))
                .setWindowStart(start)
                .setWindowEnd(end)
                .setExplanation(explanation)
                .setAction(directive == null ? null : action(directive))
                .setDetectedAt(end)
                .build();
        return new Judged(baseline, new Detection(anomaly, directive));
    }

    /** Whether {@code detector} acts on {@code scope} now: responses on, the detector acting, the scope not allow-listed. */
    public boolean actsOn(Detector detector, String scope) {
        InForce now = current();
        return acts(now, detector, now.detectors().get(detector), scope);
    }

    private static boolean acts(InForce now, Detector detector, DetectorSettings tuning, String scope) {
        String whole = scope.indexOf('@') < 0 ? scope : scope.substring(0, scope.indexOf('@')); // a route's variant is the route's
        String id = whole.substring(whole.indexOf(':') + 1);
        return now.responds() && tuning.act() && detector.response() != Detector.Response.REPORT
                && !now.allowList().contains(scope) && !now.allowList().contains(whole) && !now.allowList().contains(id);
    }

    private LimitDirective directive(Detector detector, DetectorSettings tuning, String scope, Baseline baseline, double scopeRequests,
                                     String reason, Instant end) {
        LimitDirective.Builder directive = LimitDirective.newBuilder()
                .setScope(scope)
                .setSource("anomaly-detector")
                .setReason(reason)
                .setIssuedAt(end)
                .setExpiresAt(end.plus(settings.directiveTtl()))
                .setVersion(end.toEpochMilli());
        double cap = switch (detector.response()) {
            case THROTTLE -> Math.max(1, tuning.factor() * baseline.mean() / windowSeconds);
            case SHED -> Math.max(1, tuning.factor() * scopeRequests / windowSeconds);
            default -> 0;
        };
        return detector.response() == Detector.Response.BLOCK
                ? directive.setKind(DirectiveKind.BLOCK).build()
                : directive.setKind(DirectiveKind.ADAPTIVE_LIMIT).setValue(cap).setBurst(cap).build();
    }

    private static String action(LimitDirective directive) {
        return directive.getKind() == DirectiveKind.BLOCK
                ? "block until " + directive.getExpiresAt()
                : String.format(Locale.ROOT, "throttle to %.1f req/s until %s", directive.getValue(), directive.getExpiresAt());
    }

    /** Counts per minute; latencies in milliseconds. */
    private double display(Detector detector, double value) {
        return detector == Detector.LATENCY ? value / 1000 : value * 60 / windowSeconds;
    }

    private String explain(Detector detector, String scope, Baseline baseline, double observed) {
        String who = scope.replaceFirst(":", " ");
        if (detector == Detector.LATENCY) {
            return String.format(Locale.ROOT, "%s: p95 %,.1f ms vs baseline %,.1f ± %,.1f ms", who, display(detector, observed),
                    display(detector, baseline.mean()), display(detector, baseline.stddev()));
        }
        return String.format(Locale.ROOT, "%s: %,.0f %s/min vs baseline %,.0f ± %,.0f", who, display(detector, observed), detector.unit(),
                display(detector, baseline.mean()), display(detector, baseline.stddev()));
    }
}
