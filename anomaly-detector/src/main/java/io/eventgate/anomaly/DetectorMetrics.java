package io.eventgate.anomaly;

import io.eventgate.policy.model.DetectorSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.ToDoubleFunction;

/**
 * The detector's meters: the settings in force, read afresh at every scrape (so a change of tuning through the
 * control topic shows at once), and the anomalies found and directives issued by kind.
 */
public final class DetectorMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    public DetectorMetrics(Verdicts verdicts) {
        // every kind from the start, at 0: a series that appears only with its first event cannot be graphed or alerted on before
        for (io.eventgate.avro.AnomalyKind kind : io.eventgate.avro.AnomalyKind.values()) {
            Counter.builder("anomaly.detections").tags("kind", kind.name()).register(registry);
        }
        for (io.eventgate.avro.DirectiveKind kind : io.eventgate.avro.DirectiveKind.values()) {
            Counter.builder("anomaly.directives").tags("kind", kind.name()).register(registry);
        }
        Gauge.builder("anomaly.responses.enabled", verdicts, v -> v.responds() ? 1 : 0)
                .description("1 while detectors may act (the off switch of the settings or of the operators' tuning)").register(registry);
        for (Detector detector : Detector.values()) {
            setting(verdicts, detector, "enabled", s -> s.enabled() ? 1 : 0);
            setting(verdicts, detector, "acts", s -> s.act() ? 1 : 0);
            setting(verdicts, detector, "sensitivity", s -> s.sensitivity());
            setting(verdicts, detector, "minimum.excess", s -> s.minimumExcess());
            setting(verdicts, detector, "warmup.windows", s -> s.warmupWindows());
        }
    }

    private void setting(Verdicts verdicts, Detector detector, String name, ToDoubleFunction<DetectorSettings> value) {
        Gauge.builder("anomaly.detector." + name, verdicts, v -> value.applyAsDouble(v.settingsOf(detector)))
                .description("Setting in force: " + name).tags(Tags.of("detector", detector.settingName())).register(registry);
    }

    /** Counts one detection and its directive, if any. */
    public void detected(Detection detection) {
        Counter.builder("anomaly.detections").tags("kind", detection.anomaly().getKind().name()).register(registry).increment();
        if (detection.directive() != null) {
            Counter.builder("anomaly.directives").tags("kind", detection.directive().getKind().name()).register(registry).increment();
        }
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public String scrape() {
        return registry.scrape();
    }
}
