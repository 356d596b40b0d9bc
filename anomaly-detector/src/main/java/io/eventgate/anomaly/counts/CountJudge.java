package io.eventgate.anomaly.counts;

import io.eventgate.anomaly.Detector;
import io.eventgate.anomaly.Verdicts;
import io.eventgate.anomaly.WindowJudge;
import java.util.List;
import java.util.function.ToLongFunction;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Record;

/** Judges each closed tally with the detectors of its scope, keeping one baseline per detector and scope. */
final class CountJudge extends WindowJudge<Tally> {
    private record Measure(Detector detector, ToLongFunction<Tally> value) {
    }

    private static final List<Measure> CONSUMER = List.of(new Measure(Detector.CONSUMER_RATE, Tally::total));
    private static final List<Measure> ROUTE = List.of(new Measure(Detector.ROUTE_RATE, Tally::total), new Measure(Detector.ROUTE_ERRORS, Tally::errors));
    private static final List<Measure> UPSTREAM = List.of(new Measure(Detector.UPSTREAM_ERRORS, Tally::errors));
    private static final List<Measure> CREDENTIAL = List.of(new Measure(Detector.CREDENTIAL_FAILURES, Tally::unauthenticated));
    private static final List<Measure> CLIENT = List.of(new Measure(Detector.AUTH_FAILURES, Tally::unauthenticated),
            new Measure(Detector.SCANNING, Tally::notFound));

    CountJudge(Verdicts verdicts) {
        super(CountTopology.BASELINES, verdicts);
    }

    @Override
    public void process(Record<Windowed<String>, Tally> window) {
        if (window.value() == null) {
            return;
        }
        String scope = window.key().key();
        for (Measure measure : measures(scope)) {
            if (verdicts.enabled(measure.detector())) {
                judge(window, measure.detector(), measure.detector().settingName() + "|" + scope, measure.value().applyAsLong(window.value()),
                        window.value().total());
            }
        }
    }

    private static List<Measure> measures(String scope) {
        return switch (scope.substring(0, scope.indexOf(':'))) {
            case "consumer" -> CONSUMER;
            case "route" -> ROUTE;
            case "upstream" -> UPSTREAM;
            case "credential" -> CREDENTIAL;
            default -> CLIENT;
        };
    }
}
