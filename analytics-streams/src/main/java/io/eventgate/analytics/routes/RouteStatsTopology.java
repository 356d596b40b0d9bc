package io.eventgate.analytics.routes;

import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RouteStats;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;

/**
 * Per-route figures per minute from {@code gateway.requests}: counts by status class, bytes, retries and
 * latency percentiles from an HdrHistogram, published once per window, when it closes (after the grace
 * period), to {@code gateway.route-stats} keyed by route id ({@code -} for requests that matched none).
 */
public final class RouteStatsTopology {
    static final String MINUTE_STORE = "route-minutes";

    private RouteStatsTopology() {
    }

    public static void addTo(StreamsBuilder builder, Topics topics, ContractSerdes serdes, Duration grace) {
        builder.stream(topics.requests(), Consumed.with(Serdes.String(), serdes.<RequestEvent>serde(Topic.REQUESTS)).withName("requests-for-routes"))
                .filter((key, event) -> event != null, Named.as("not-tombstones"))
                .selectKey((key, event) -> event.getRouteId() == null ? "-" : event.getRouteId(), Named.as("by-route"))
                .groupByKey(Grouped.with("route", Serdes.String(), serdes.<RequestEvent>serde(Topic.REQUESTS)))
                .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMinutes(1), grace))
                .aggregate(RouteWindow::new, (route, event, window) -> window.add(event), Named.as("figures-per-minute"),
                        Materialized.<String, RouteWindow, org.apache.kafka.streams.state.WindowStore<org.apache.kafka.common.utils.Bytes, byte[]>>as(MINUTE_STORE)
                                .withKeySerde(Serdes.String()).withValueSerde(RouteWindow.serde()))
                .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()).withName("when-the-minute-closes"))
                .toStream(Named.as("closed-minutes"))
                .map((window, figures) -> KeyValue.pair(window.key(), figures.toStats(window.key(), window.window().start(), window.window().end())),
                        Named.as("route-stats"))
                .to(topics.routeStats(), Produced.with(Serdes.String(), serdes.<RouteStats>serde(Topic.ROUTE_STATS)).withName("route-stats-sink"));
    }
}
