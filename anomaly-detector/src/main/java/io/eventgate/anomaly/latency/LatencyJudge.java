package io.eventgate.anomaly.latency;

import com.datadoghq.sketch.ddsketch.DDSketch;
import io.eventgate.anomaly.Detector;
import io.eventgate.anomaly.Verdicts;
import io.eventgate.anomaly.WindowJudge;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Record;

/** Judges each route's closed latency window by its 95th percentile; windows with too few requests say nothing and are skipped. */
final class LatencyJudge extends WindowJudge<DDSketch> {
    /** Below this many requests a window's 95th percentile is mostly noise. */
    static final int MINIMUM_REQUESTS = 20;

    LatencyJudge(Verdicts verdicts) {
        super(LatencyTopology.BASELINES, verdicts);
    }

    @Override
    public void process(Record<Windowed<String>, DDSketch> window) {
        if (window.value() != null && window.value().getCount() >= MINIMUM_REQUESTS && verdicts.enabled(Detector.LATENCY)) {
            judge(window, Detector.LATENCY, window.key().key(), window.value().getValueAtQuantile(0.95), window.value().getCount());
        }
    }
}
