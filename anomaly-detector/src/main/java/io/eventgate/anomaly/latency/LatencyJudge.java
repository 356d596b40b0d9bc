package io.eventgate.anomaly.latency;

import com.datadoghq.sketch.ddsketch.DDSketch;
import io.eventgate.anomaly.Baseline;
import io.eventgate.anomaly.Detection;
import io.eventgate.anomaly.Detector;
import io.eventgate.anomaly.Verdicts;
import java.time.Instant;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/** Judges each route's closed latency window by its 95th percentile; windows with too few requests say nothing and are skipped. */
final class LatencyJudge implements Processor<Windowed<String>, DDSketch, String, Detection> {
    /** Below this many requests a window's 95th percentile is mostly noise. */
    static final int MINIMUM_REQUESTS = 20;

    private final Verdicts verdicts;
    private ProcessorContext<String, Detection> context;
    private KeyValueStore<String, String> baselines;

    LatencyJudge(Verdicts verdicts) {
        this.verdicts = verdicts;
    }

    @Override
    public void init(ProcessorContext<String, Detection> context) {
        this.context = context;
        this.baselines = context.getStateStore(LatencyTopology.BASELINES);
    }

    @Override
    public void process(Record<Windowed<String>, DDSketch> record) {
        if (record.value() == null || record.value().getCount() < MINIMUM_REQUESTS || !verdicts.enabled(Detector.LATENCY)) {
            return;
        }
        String scope = record.key().key();
        Verdicts.Judged judged = verdicts.judge(Detector.LATENCY, scope, Baseline.decode(baselines.get(scope)), record.value().getValueAtQuantile(0.95),
                record.value().getCount(), Instant.ofEpochMilli(record.key().window().start()), Instant.ofEpochMilli(record.key().window().end()));
        baselines.put(scope, judged.next().encode());
        if (judged.detection() != null) {
            context.forward(new Record<>(scope, judged.detection(), record.timestamp()));
        }
    }
}
