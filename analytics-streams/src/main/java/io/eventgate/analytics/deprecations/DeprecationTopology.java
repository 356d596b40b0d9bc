package io.eventgate.analytics.deprecations;

import io.eventgate.analytics.Windows;
import io.eventgate.avro.RequestEvent;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.serde.ContractSerdes;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Calls to deprecated API versions (RequestEvents marked {@code deprecated}) per route and consumer and UTC hour, so
 * that an API's owners know whom to warn before its sunset. Kept in a queryable store for the query API.
 */
public final class DeprecationTopology {
    public static final String HOURLY_STORE = "deprecated-calls-hours";
    /** Store keys: route and consumer, joined by a character neither may contain. */
    static final char SEPARATOR = '|';

    private DeprecationTopology() {
    }

    public static void addTo(KStream<String, RequestEvent> requests, ContractSerdes serdes, Duration grace, Duration retention) {
        Duration hour = Duration.ofHours(1);
        requests.filter((key, event) -> event.getDeprecated() && event.getRouteId() != null, Named.as("deprecated-calls"))
                .selectKey((key, event) -> event.getRouteId() + SEPARATOR + event.getConsumerId(), Named.as("deprecated-calls-by-route-and-consumer"))
                .groupByKey(Grouped.with("deprecated-calls-grouped", Serdes.String(), serdes.<RequestEvent>serde(Topic.REQUESTS)))
                .windowedBy(TimeWindows.ofSizeAndGrace(hour, grace))
                .count(Named.as("deprecated-calls-per-hour"), Materialized.<String, Long, WindowStore<Bytes, byte[]>>as(HOURLY_STORE)
                        .withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()).withRetention(Windows.retention(retention, hour, grace)));
    }
}
