package io.eventgate.analytics.routes;

import io.eventgate.analytics.Windows;
import io.eventgate.analytics.partials.PartialsProcessor;
import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RouteStats;
import io.eventgate.avro.StatsGranularity;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Per-route figures per minute and per hour from {@code gateway.requests}: counts by status class, bytes,
 * retries, decisions and latency percentiles from a DDSketch, published once per window, when it closes
 * (after the grace period), to {@code gateway.route-stats} keyed by route id ({@code -} for requests that
 * matched none). The window stores stay queryable for the retention period, open windows included.
 */
public final class RouteStatsTopology {
    public static final String MINUTE_STORE = "route-minutes";
    public static final String HOUR_STORE = "route-hours";
    static final String PARTIALS_STORE = "route-partials";

    private RouteStatsTopology() {
    }

    /** Requests are combined per route and minute, and the partials forwarded {@code every} interval. */
    public static void addTo(KStream<String, RequestEvent> requests, Topics topics, ContractSerdes serdes, Duration grace, Duration retention,
                             Duration every) {
        var partials = new PartialsProcessor.Spec<>(PARTIALS_STORE, Duration.ofMinutes(1), event -> event.getRouteId() == null ? "-" : event.getRouteId(),
                RouteWindow::new, RouteWindow::add, RouteWindow.serde(), every);
        KGroupedStream<String, RouteWindow> byRoute = requests
                .process(PartialsProcessor.supplier(partials), Named.as("route-partials-per-minute"))
                .groupByKey(Grouped.with("route", Serdes.String(), RouteWindow.serde()));
        perWindow(byRoute, topics, serdes, StatsGranularity.MINUTE, Duration.ofMinutes(1), grace, retention, MINUTE_STORE);
        perWindow(byRoute, topics, serdes, StatsGranularity.HOUR, Duration.ofHours(1), grace, retention, HOUR_STORE);
    }

    private static void perWindow(KGroupedStream<String, RouteWindow> byRoute, Topics topics, ContractSerdes serdes, StatsGranularity granularity,
                                  Duration size, Duration grace, Duration retention, String store) {
        String name = granularity.name().toLowerCase();
        byRoute.windowedBy(TimeWindows.ofSizeAndGrace(size, grace))
                .aggregate(RouteWindow::new, (route, partial, window) -> window.merge(partial), Named.as("figures-per-" + name),
                        Materialized.<String, RouteWindow, WindowStore<Bytes, byte[]>>as(store)
                                .withKeySerde(Serdes.String()).withValueSerde(RouteWindow.serde())
                                .withRetention(Windows.retention(retention, size, grace)))
                .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()).withName("when-the-" + name + "-closes"))
                .toStream(Named.as("closed-" + name + "s"))
                .map((window, figures) -> KeyValue.pair(window.key(), figures.toStats(window.key(), granularity, window.window().start(), window.window().end())),
                        Named.as("route-stats-per-" + name))
                .to(topics.routeStats(), Produced.with(Serdes.String(), serdes.<RouteStats>serde(Topic.ROUTE_STATS)).withName("route-stats-sink-" + name));
    }
}
