package io.eventgate.analytics.deprecations;

import io.eventgate.analytics.Windows;
import java.time.Duration;
import java.time.Instant;
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

/** Reads this instance's hours of deprecated calls: each route and consumer's calls over a period. */
public final class DeprecationQueries {
    /** One consumer's calls to one deprecated route. */
    public record Calls(String route, String consumer) implements Comparable<Calls> {
        @Override
        public int compareTo(Calls other) {
            int byRoute = route.compareTo(other.route);
            return byRoute != 0 ? byRoute : consumer.compareTo(other.consumer);
        }
    }

    private final Function<String, ReadOnlyWindowStore<String, Long>> stores;

    public DeprecationQueries(Function<String, ReadOnlyWindowStore<String, Long>> stores) {
        this.stores = stores;
    }

    public static DeprecationQueries of(KafkaStreams streams) {
        return new DeprecationQueries(name -> streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.windowStore())));
    }

    /** Each route and consumer's deprecated calls over the hours that overlap {@code [from, to)}. */
    public Map<Calls, Long> totals(Instant from, Instant to) {
        Map<Calls, Long> totals = new TreeMap<>();
        try (KeyValueIterator<Windowed<String>, Long> hours = stores.apply(DeprecationTopology.HOURLY_STORE)
                .fetchAll(Windows.align(from, Duration.ofHours(1)), to.minusMillis(1))) {
            while (hours.hasNext()) {
                KeyValue<Windowed<String>, Long> hour = hours.next();
                String key = hour.key.key();
                int separator = key.indexOf(DeprecationTopology.SEPARATOR);
                totals.merge(new Calls(key.substring(0, separator), key.substring(separator + 1)), hour.value, Long::sum);
            }
        }
        return totals;
    }
}
