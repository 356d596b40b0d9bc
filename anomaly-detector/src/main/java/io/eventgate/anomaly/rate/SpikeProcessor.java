package io.eventgate.anomaly.rate;

import io.eventgate.anomaly.AnomalySettings;
import io.eventgate.avro.AnomalyEvent;
import io.eventgate.avro.AnomalyKind;
import io.eventgate.avro.DirectiveKind;
import io.eventgate.avro.LimitDirective;
import java.time.Instant;
import java.util.Locale;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/** Compares each consumer's closed window with its baseline; a spike becomes an explained anomaly and, if enabled, a throttle. */
final class SpikeProcessor implements Processor<Windowed<String>, Long, String, Detection> {
    private final AnomalySettings settings;
    private ProcessorContext<String, Detection> context;
    private KeyValueStore<String, String> baselines;

    SpikeProcessor(AnomalySettings settings) {
        this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<String, Detection> context) {
        this.context = context;
        this.baselines = context.getStateStore(RateSpikeTopology.BASELINES);
    }

    @Override
    public void process(Record<Windowed<String>, Long> record) {
        if (record.value() == null) {
            return;
        }
        String consumer = record.key().key();
        long count = record.value();
        Baseline baseline = Baseline.decode(baselines.get(consumer));
        boolean spike = baseline.windows() >= settings.warmupWindows()
                && count - baseline.mean() >= settings.minimumExcess()
                && baseline.score(count) >= settings.sensitivity();
        if (!spike) {
            baselines.put(consumer, baseline.update(count).encode());
            return;
        }
        double perMinute = 60.0 / settings.window().toSeconds();
        Instant start = Instant.ofEpochMilli(record.key().window().start());
        Instant end = Instant.ofEpochMilli(record.key().window().end());
        String explanation = String.format(Locale.ROOT, "consumer %s: %,.0f req/min vs baseline %,.0f ± %,.0f",
                consumer, count * perMinute, baseline.mean() * perMinute, baseline.stddev() * perMinute);
        LimitDirective directive = null;
        String action = null;
        if (settings.throttle() && !settings.allowList().contains(consumer)) {
            double cap = Math.max(1, settings.throttleFactor() * baseline.mean() / settings.window().toSeconds());
            Instant expires = end.plus(settings.directiveTtl());
            action = String.format(Locale.ROOT, "throttle to %.1f req/s until %s", cap, expires);
            directive = LimitDirective.newBuilder()
                    .setScope("consumer:" + consumer)
                    .setKind(DirectiveKind.ADAPTIVE_LIMIT)
                    .setSource("anomaly-detector")
                    .setValue(cap)
                    .setBurst(cap)
                    .setReason(explanation)
                    .setIssuedAt(end)
                    .setExpiresAt(expires)
                    .setVersion(end.toEpochMilli())
                    .build();
        }
        AnomalyEvent anomaly = AnomalyEvent.newBuilder()
                .setAnomalyId("consumer:" + consumer + "@" + start.toEpochMilli())
                .setKind(AnomalyKind.REQUEST_RATE_SPIKE)
                .setScope("consumer:" + consumer)
                .setObserved(count * perMinute)
                .setBaseline(baseline.mean() * perMinute)
                .setBaselineStdDev(baseline.stddev() * perMinute)
                .setScore(baseline.score(count))
                .setWindowStart(start)
                .setWindowEnd(end)
                .setExplanation(explanation)
                .setAction(action)
                .setDetectedAt(end)
                .build();
        context.forward(new Record<>("consumer:" + consumer, new Detection(anomaly, directive), record.timestamp()));
    }
}
