package io.eventgate.anomaly.counts;

import io.eventgate.anomaly.Detection;
import io.eventgate.anomaly.Detector;
import io.eventgate.anomaly.Verdicts;
import io.eventgate.avro.RequestEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The count detectors: every request is tallied under each scope it belongs to ({@code consumer:ID},
 * {@code route:ID}, {@code upstream:HOST:PORT}, {@code client:IP}, and for a failed login the
 * {@code credential:FINGERPRINT} it presented) per window; when a window closes, each
 * detector of that scope judges its count (requests, 5xx, 401 or 404) against the scope's baseline.
 */
public final class CountTopology {
    static final String BASELINES = "count-baselines";

    private CountTopology() {
    }

    public static KStream<String, Detection> addTo(StreamsBuilder builder, KStream<String, RequestEvent> requests, Verdicts verdicts, Duration window,
                                                   Duration grace) {
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(BASELINES), Serdes.String(), Serdes.String()));
        return requests
                .flatMap((key, event) -> scopes(event, verdicts), Named.as("per-scope"))
                .groupByKey(Grouped.with("scope", Serdes.String(), Serdes.Integer()))
                .windowedBy(TimeWindows.ofSizeAndGrace(window, grace))
                .aggregate(Tally::empty, (scope, flags, tally) -> tally.add(flags), Named.as("tally-per-window"),
                        Materialized.<String, Tally, WindowStore<Bytes, byte[]>>as("scope-window-tallies")
                                .withKeySerde(Serdes.String()).withValueSerde(Tally.serde()))
                .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()).withName("when-the-window-closes"))
                .toStream(Named.as("closed-windows"))
                .process(() -> new CountJudge(verdicts), Named.as("judge-counts"), BASELINES);
    }

    /** The scopes a request counts under, for the detectors that are on. */
    static List<KeyValue<String, Integer>> scopes(RequestEvent event, Verdicts verdicts) {
        int flags = Tally.flags(event);
        List<KeyValue<String, Integer>> scopes = new ArrayList<>(5);
        if (verdicts.enabled(Detector.CONSUMER_RATE) && !"anonymous".equals(event.getConsumerId())) {
            scopes.add(KeyValue.pair("consumer:" + event.getConsumerId(), flags));
        }
        if (event.getRouteId() != null && (verdicts.enabled(Detector.ROUTE_RATE) || verdicts.enabled(Detector.ROUTE_ERRORS))) {
            scopes.add(KeyValue.pair("route:" + event.getRouteId(), flags));
        }
        if (event.getUpstreamInstance() != null && verdicts.enabled(Detector.UPSTREAM_ERRORS)) {
            scopes.add(KeyValue.pair("upstream:" + event.getUpstreamInstance(), flags));
        }
        if (verdicts.enabled(Detector.AUTH_FAILURES) || verdicts.enabled(Detector.SCANNING)) {
            scopes.add(KeyValue.pair("client:" + event.getClientAddress(), flags));
        }
        if (event.getFailedCredential() != null && verdicts.enabled(Detector.CREDENTIAL_FAILURES)) {
            scopes.add(KeyValue.pair("credential:" + event.getFailedCredential(), flags));
        }
        return scopes;
    }
}
