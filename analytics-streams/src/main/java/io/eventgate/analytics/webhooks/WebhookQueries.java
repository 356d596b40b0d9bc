package io.eventgate.analytics.webhooks;

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

/** Reads this instance's webhook hours: every subscription's totals over a period. */
public final class WebhookQueries {
    private final Function<String, ReadOnlyWindowStore<String, WebhookCounts>> stores;

    public WebhookQueries(Function<String, ReadOnlyWindowStore<String, WebhookCounts>> stores) {
        this.stores = stores;
    }

    public static WebhookQueries of(KafkaStreams streams) {
        return new WebhookQueries(name -> streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.windowStore())));
    }

    /** Each subscription's counts over the hours that overlap {@code [from, to)}. */
    public Map<String, WebhookCounts> totals(Instant from, Instant to) {
        Map<String, WebhookCounts> totals = new TreeMap<>();
        try (KeyValueIterator<Windowed<String>, WebhookCounts> hours = stores.apply(WebhookTopology.HOURLY_STORE)
                .fetchAll(Windows.align(from, Duration.ofHours(1)), to.minusMillis(1))) {
            while (hours.hasNext()) {
                KeyValue<Windowed<String>, WebhookCounts> hour = hours.next();
                totals.merge(hour.key.key(), hour.value, WebhookCounts::plus);
            }
        }
        return totals;
    }
}
