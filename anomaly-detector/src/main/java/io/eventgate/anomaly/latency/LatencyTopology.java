package io.eventgate.anomaly.latency;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import io.eventgate.anomaly.Detection;
import io.eventgate.anomaly.Verdicts;
import io.eventgate.avro.RequestEvent;
import io.eventgate.streams.LatencySketches;
import java.time.Duration;
import java.util.Arrays;
import org.apache.kafka.common.serialization.Serde;
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

/** Latency regressions: each route's gateway latencies per window in a sketch, whose 95th percentile is judged against the route's baseline. */
public final class LatencyTopology {
    static final String BASELINES = "latency-baselines";

    private LatencyTopology() {
    }

    public static KStream<String, Detection> addTo(StreamsBuilder builder, KStream<String, RequestEvent> requests, Verdicts verdicts, Duration window,
                                                   Duration grace) {
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(BASELINES), Serdes.String(), Serdes.String()));
        return requests
                .filter((key, event) -> event.getRouteId() != null, Named.as("routed"))
                .map((key, event) -> KeyValue.pair("route:" + event.getRouteId(), event.getGatewayLatencyMicros()), Named.as("latency-by-route"))
                .groupByKey(Grouped.with("route-latency", Serdes.String(), Serdes.Long()))
                .windowedBy(TimeWindows.ofSizeAndGrace(window, grace))
                .aggregate(LatencySketches::empty, (route, micros, sketch) -> {
                    sketch.accept(Math.max(0, micros));
                    return sketch;
                }, Named.as("latencies-per-window"), Materialized.<String, DDSketch, WindowStore<Bytes, byte[]>>as("route-window-latencies")
                        .withKeySerde(Serdes.String()).withValueSerde(sketchSerde()))
                .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()).withName("when-the-latency-window-closes"))
                .toStream(Named.as("closed-latency-windows"))
                .process(() -> new LatencyJudge(verdicts), Named.as("judge-latency"), BASELINES);
    }

    static Serde<DDSketch> sketchSerde() {
        return Serdes.serdeFrom((topic, sketch) -> {
            GrowingByteArrayOutput out = LatencySketches.encode(sketch);
            return Arrays.copyOf(out.backingArray(), out.numWrittenBytes());
        }, (topic, bytes) -> LatencySketches.decode(bytes, 0, bytes.length));
    }
}
