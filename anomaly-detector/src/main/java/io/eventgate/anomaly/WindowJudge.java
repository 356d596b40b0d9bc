package io.eventgate.anomaly;

import java.time.Instant;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A processor of closed windows that judges measures against baselines kept in a store of its own, and
 * forwards what is anomalous. Subclasses say which measures a window has.
 */
public abstract class WindowJudge<V> implements Processor<Windowed<String>, V, String, Detection> {
    private final String baselineStore;
    protected final Verdicts verdicts;
    private ProcessorContext<String, Detection> context;
    private KeyValueStore<String, String> baselines;

    protected WindowJudge(String baselineStore, Verdicts verdicts) {
        this.baselineStore = baselineStore;
        this.verdicts = verdicts;
    }

    @Override
    public void init(ProcessorContext<String, Detection> context) {
        this.context = context;
        this.baselines = context.getStateStore(baselineStore);
    }

    /** Judges one measure of {@code window}: its baseline (under {@code baselineKey}) learns it or an anomaly goes out. */
    protected void judge(Record<Windowed<String>, V> window, Detector detector, String baselineKey, double observed, double scopeRequests) {
        String scope = window.key().key();
        Verdicts.Judged judged = verdicts.judge(detector, scope, Baseline.decode(baselines.get(baselineKey)), observed, scopeRequests,
                Instant.ofEpochMilli(window.key().window().start()), Instant.ofEpochMilli(window.key().window().end()));
        baselines.put(baselineKey, judged.next().encode());
        if (judged.detection() != null) {
            context.forward(new Record<>(scope, judged.detection(), window.timestamp()));
        }
    }
}
