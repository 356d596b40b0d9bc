package io.eventgate.anomaly.canary;

import io.eventgate.anomaly.Detection;
import io.eventgate.anomaly.Detector;
import io.eventgate.anomaly.Verdicts;
import io.eventgate.avro.AnomalyEvent;
import io.eventgate.avro.DirectiveKind;
import io.eventgate.avro.LimitDirective;
import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RequestOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Canaries that roll back themselves: the requests of each route with a weighted split (RequestEvents naming a
 * {@code variant}), per window and variant, judged by {@link CanaryJudge} when the window closes. A regression is an
 * explained AnomalyEvent on {@code route:ID@variant:POOL} and, when the detector acts, a ROLLBACK directive on the same
 * scope: every edge gives the variant weight 0 until an operator restores it. The directive has no expiry, since a
 * rolled-back canary takes no traffic from which it could show itself healthy again.
 */
public final class CanaryTopology {
    private CanaryTopology() {
    }

    public static KStream<String, Detection> addTo(KStream<String, RequestEvent> requests, Verdicts verdicts, Duration window, Duration grace) {
        return requests
                .filter((key, event) -> event.getRouteId() != null && event.getVariant() != null && event.getOutcome() != RequestOutcome.EDGE_CRASHED,
                        Named.as("split-requests"))
                // a compact value to repartition: variant, status and latency
                .map((key, event) -> KeyValue.pair(event.getRouteId(), event.getVariant() + "|" + event.getStatus() + "|" + event.getGatewayLatencyMicros()),
                        Named.as("variant-answer-by-route"))
                .groupByKey(Grouped.with("split-route", Serdes.String(), Serdes.String()))
                .windowedBy(TimeWindows.ofSizeAndGrace(window, grace))
                .aggregate(VariantWindow::new, (route, answer, variants) -> {
                    String[] parts = answer.split("\\|");
                    return variants.add(parts[0], Integer.parseInt(parts[1]), Long.parseLong(parts[2]));
                }, Named.as("variants-per-window"), Materialized.<String, VariantWindow, WindowStore<Bytes, byte[]>>as("route-window-variants")
                        .withKeySerde(Serdes.String()).withValueSerde(VariantWindow.serde()))
                .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()).withName("when-the-split-window-closes"))
                .toStream(Named.as("closed-split-windows"))
                .flatMap((windowed, variants) -> {
                    if (variants == null || !verdicts.enabled(Detector.CANARY)) {
                        return List.<KeyValue<String, Detection>>of();
                    }
                    List<KeyValue<String, Detection>> detections = new ArrayList<>();
                    for (CanaryJudge.Regression regression : CanaryJudge.judge(windowed.key(), variants, verdicts.settingsOf(Detector.CANARY))) {
                        Detection detection = detection(windowed.key(), regression, verdicts, Instant.ofEpochMilli(windowed.window().start()),
                                Instant.ofEpochMilli(windowed.window().end()));
                        detections.add(KeyValue.pair(detection.anomaly().getScope(), detection));
                    }
                    return detections;
                }, Named.as("judge-canaries"));
    }

    static Detection detection(String route, CanaryJudge.Regression regression, Verdicts verdicts, Instant start, Instant end) {
        String scope = "route:" + route + "@variant:" + regression.variant();
        LimitDirective directive = verdicts.actsOn(Detector.CANARY, scope)
                ? LimitDirective.newBuilder()
                        .setScope(scope)
                        .setKind(DirectiveKind.ROLLBACK)
                        .setSource("anomaly-detector")
                        .setReason(regression.explanation())
                        .setIssuedAt(end)
                        .setExpiresAt(null)
                        .setVersion(end.toEpochMilli())
                        .build()
                : null;
        AnomalyEvent anomaly = AnomalyEvent.newBuilder()
                .setAnomalyId("canary:" + scope + "@" + start.toEpochMilli())
                .setKind(Detector.CANARY.kind())
                .setScope(scope)
                .setObserved(regression.z())
                .setBaseline(0)
                .setBaselineStdDev(1)
                .setScore(regression.z())
                .setWindowStart(start)
                .setWindowEnd(end)
                .setExplanation(regression.explanation())
                .setAction(directive == null ? null : "rolled back: weight 0 on every edge until restored (ctl canary restore " + route + " "
                        + regression.variant() + ")")
                .setDetectedAt(end)
                .build();
        return new Detection(anomaly, directive);
    }
}
