package io.eventgate.anomaly.counts;

import io.eventgate.anomaly.Baseline;
import io.eventgate.anomaly.Detection;
import io.eventgate.anomaly.Detector;
import io.eventgate.anomaly.Verdicts;
import java.time.Instant;
import java.util.List;
import java.util.function.ToLongFunction;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/** Judges each closed tally with the detectors of its scope, keeping one baseline per detector and scope. */
final class CountJudge implements Processor<Windowed<String>, Tally, String, Detection> {
    private record Measure(Detector detector, ToLongFunction<Tally> value) {
    }

    private static final List<Measure> CONSUMER = List.of(new Measure(Detector.CONSUMER_RATE, Tally::total));
    private static final List<Measure> ROUTE = List.of(new Measure(Detector.ROUTE_RATE, Tally::total), new Measure(Detector.ROUTE_ERRORS, Tally::errors));
    private static final List<Measure> UPSTREAM = List.of(new Measure(Detector.UPSTREAM_ERRORS, Tally::errors));
    private static final List<Measure> CLIENT = List.of(new Measure(Detector.AUTH_FAILURES, Tally::unauthenticated),
            new Measure(Detector.SCANNING, Tally::notFound));

    private final Verdicts verdicts;
    private ProcessorContext<String, Detection> context;
    private KeyValueStore<String, String> baselines;

    CountJudge(Verdicts verdicts) {
        this.verdicts = verdicts;
    }

    @Override
    public void init(ProcessorContext<String, Detection> context) {
        this.context = context;
        this.baselines = context.getStateStore(CountTopology.BASELINES);
    }

    @Override
    public void process(Record<Windowed<String>, Tally> record) {
        if (record.value() == null) {
            return;
        }
        String scope = record.key().key();
        Instant start = Instant.ofEpochMilli(record.key().window().start());
        Instant end = Instant.ofEpochMilli(record.key().window().end());
        for (Measure measure : measures(scope)) {
            if (!verdicts.enabled(measure.detector())) {
                continue;
            }
            String key = measure.detector().settingName() + "|" + scope;
            Verdicts.Judged judged = verdicts.judge(measure.detector(), scope, Baseline.decode(baselines.get(key)),
                    measure.value().applyAsLong(record.value()), record.value().total(), start, end);
            baselines.put(key, judged.next().encode());
            if (judged.detection() != null) {
                context.forward(new Record<>(scope, judged.detection(), record.timestamp()));
            }
        }
    }

    private static List<Measure> measures(String scope) {
        return switch (scope.substring(0, scope.indexOf(':'))) {
            case "consumer" -> CONSUMER;
            case "route" -> ROUTE;
            case "upstream" -> UPSTREAM;
            default -> CLIENT;
        };
    }
}
