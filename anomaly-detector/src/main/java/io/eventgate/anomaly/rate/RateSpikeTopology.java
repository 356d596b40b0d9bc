package io.eventgate.anomaly.rate;

import io.eventgate.anomaly.AnomalySettings;
import io.eventgate.avro.AnomalyEvent;
import io.eventgate.avro.LimitDirective;
import io.eventgate.avro.RequestEvent;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.Stores;

/**
 * Request-rate spikes per consumer: counts each consumer's requests per window, compares every closed
 * window with the consumer's learned baseline, and publishes an explained AnomalyEvent to
 * {@code gateway.anomalies} and, when throttling is on, an expiring ADAPTIVE_LIMIT directive to
 * {@code gateway.limits}. A spike that lasts renews the directive window after window; when it ends the
 * directive lapses by itself.
 */
public final class RateSpikeTopology {
    static final String BASELINES = "consumer-rate-baselines";

    private RateSpikeTopology() {
    }

    public static void addTo(StreamsBuilder builder, Topics topics, ContractSerdes serdes, AnomalySettings settings) {
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(BASELINES), Serdes.String(), Serdes.String()));
        KStream<String, Detection> detections = builder
                .stream(topics.requests(), Consumed.with(Serdes.String(), serdes.<RequestEvent>serde(Topic.REQUESTS)).withName("requests-for-rates"))
                .filter((consumer, event) -> event != null && !"anonymous".equals(consumer), Named.as("identified"))
                .groupByKey(Grouped.with("by-consumer", Serdes.String(), serdes.<RequestEvent>serde(Topic.REQUESTS)))
                .windowedBy(TimeWindows.ofSizeAndGrace(settings.window(), Duration.ofSeconds(2)))
                .count(Named.as("requests-per-window"), Materialized.as("consumer-window-counts"))
                .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()).withName("when-the-window-closes"))
                .toStream(Named.as("closed-windows"))
                .process(() -> new SpikeProcessor(settings), Named.as("compare-with-baseline"), BASELINES);
        detections.mapValues(Detection::anomaly, Named.as("anomaly"))
                .to(topics.anomalies(), Produced.with(Serdes.String(), serdes.<AnomalyEvent>serde(Topic.ANOMALIES)).withName("anomalies"));
        detections.filter((scope, detection) -> detection.directive() != null, Named.as("acted-on"))
                .mapValues(Detection::directive, Named.as("directive"))
                .to(topics.limits(), Produced.with(Serdes.String(), serdes.<LimitDirective>serde(Topic.LIMITS)).withName("adaptive-limits"));
    }
}
