package io.eventgate.analytics.routes;

import static io.eventgate.analytics.Windows.align;

import io.eventgate.avro.RouteStats;
import io.eventgate.avro.StatsGranularity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Reads this instance's route windows, open ones included. Windows of a longer query step are merged, so
 * their percentiles come from the merged histograms, not from averaged percentiles.
 */
public final class RouteStatsQueries {
    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final Duration HOUR = Duration.ofHours(1);

    private final Function<String, ReadOnlyWindowStore<String, RouteWindow>> stores;

    /** Reads the stores that {@code stores} finds by name (a running app's, or a test driver's). */
    public RouteStatsQueries(Function<String, ReadOnlyWindowStore<String, RouteWindow>> stores) {
        this.stores = stores;
    }

    public static RouteStatsQueries of(KafkaStreams streams) {
        return new RouteStatsQueries(name -> streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.windowStore())));
    }

    /** The steps a series can have: whole minutes, read from the hourly store when the step is whole hours. */
    public static void checkStep(Duration step) {
        if (step.isNegative() || step.isZero() || step.toMillis() % MINUTE.toMillis() != 0) {
            throw new IllegalArgumentException("step must be a whole number of minutes (1m, 5m, 1h), found " + step);
        }
    }

    /** One point per step in {@code [from, to)} with traffic, each the merge of the windows that start in it. */
    public List<RouteStats> series(String routeId, Instant from, Instant to, Duration step) {
        checkStep(step);
        boolean hourly = step.toMillis() % HOUR.toMillis() == 0;
        Duration size = hourly ? HOUR : MINUTE;
        Instant alignedFrom = align(from, size);
        TreeMap<Long, RouteWindow> buckets = new TreeMap<>();
        try (WindowStoreIterator<RouteWindow> windows = store(hourly ? RouteStatsTopology.HOUR_STORE : RouteStatsTopology.MINUTE_STORE)
                .fetch(routeId, alignedFrom, to.minusMillis(1))) {
            windows.forEachRemaining(window -> {
                long bucket = alignedFrom.toEpochMilli() + (window.key - alignedFrom.toEpochMilli()) / step.toMillis() * step.toMillis();
                buckets.merge(bucket, window.value, RouteWindow::merge);
            });
        }
        List<RouteStats> points = new ArrayList<>();
        StatsGranularity granularity = hourly ? StatsGranularity.HOUR : StatsGranularity.MINUTE;
        buckets.forEach((start, figures) -> points.add(figures.toStats(routeId, granularity, start, start + step.toMillis())));
        return points;
    }

    /** Every route with traffic in the minutes from {@code from} (aligned down) to now, each with its merged figures. */
    public List<RouteStats> recent(Instant from, Instant to) {
        Instant alignedFrom = align(from, MINUTE);
        Map<String, RouteWindow> routes = new TreeMap<>();
        try (KeyValueIterator<Windowed<String>, RouteWindow> windows = store(RouteStatsTopology.MINUTE_STORE).fetchAll(alignedFrom, to)) {
            windows.forEachRemaining((KeyValue<Windowed<String>, RouteWindow> window) -> routes.merge(window.key.key(), window.value, RouteWindow::merge));
        }
        List<RouteStats> recent = new ArrayList<>();
        long end = align(to, MINUTE).plus(MINUTE).toEpochMilli();
        routes.forEach((route, figures) -> recent.add(figures.toStats(route, StatsGranularity.MINUTE, alignedFrom.toEpochMilli(), end)));
        return recent;
    }

    private ReadOnlyWindowStore<String, RouteWindow> store(String name) {
        return stores.apply(name);
    }

}
