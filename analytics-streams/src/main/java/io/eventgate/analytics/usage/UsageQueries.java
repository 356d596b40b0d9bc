package io.eventgate.analytics.usage;

import static io.eventgate.analytics.Windows.align;

import io.eventgate.avro.UsageGranularity;
import io.eventgate.avro.UsageRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/** Reads this instance's usage windows: one consumer's records, or every consumer's totals over a period. */
public final class UsageQueries {
    /** A consumer's totals over a period, for rankings. */
    public record ConsumerTotals(String consumerId, long requests, long billableRequests, long bytesIn, long bytesOut) {
        public long bytes() {
            return bytesIn + bytesOut;
        }

        ConsumerTotals plus(UsageRecord record) {
            return new ConsumerTotals(consumerId, requests + record.getTotalRequests(), billableRequests + record.getBillableRequests(),
                    bytesIn + record.getBytesIn(), bytesOut + record.getBytesOut());
        }
    }

    private final Function<String, ReadOnlyWindowStore<String, UsageWindow>> stores;

    /** Reads the stores that {@code stores} finds by name (a running app's, or a test driver's). */
    public UsageQueries(Function<String, ReadOnlyWindowStore<String, UsageWindow>> stores) {
        this.stores = stores;
    }

    public static UsageQueries of(KafkaStreams streams) {
        return new UsageQueries(name -> streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.windowStore())));
    }

    /** The consumer's records (latest revision: the live window) of the windows that start in {@code [from, to)}. */
    public List<UsageRecord> usage(String consumerId, Instant from, Instant to, UsageGranularity granularity) {
        Duration size = size(granularity);
        List<UsageRecord> records = new ArrayList<>();
        try (WindowStoreIterator<UsageWindow> windows = store(granularity).fetch(consumerId, align(from, size), to.minusMillis(1))) {
            windows.forEachRemaining(window -> records.add(window.value.toRecord(consumerId, window.key, window.key + size.toMillis(),
                    granularity, Instant.ofEpochMilli(window.key + size.toMillis()))));
        }
        return records;
    }

    /** Every consumer's totals over the hours that overlap {@code [from, to)}. */
    public List<ConsumerTotals> totals(Instant from, Instant to) {
        Duration hour = size(UsageGranularity.HOUR);
        Map<String, ConsumerTotals> totals = new TreeMap<>();
        try (KeyValueIterator<Windowed<String>, UsageWindow> windows = store(UsageGranularity.HOUR).fetchAll(align(from, hour), to.minusMillis(1))) {
            windows.forEachRemaining(window -> {
                String consumer = window.key.key();
                UsageRecord record = window.value.toRecord(consumer, window.key.window().start(), window.key.window().end(), UsageGranularity.HOUR,
                        Instant.ofEpochMilli(window.key.window().end()));
                totals.put(consumer, totals.getOrDefault(consumer, new ConsumerTotals(consumer, 0, 0, 0, 0)).plus(record));
            });
        }
        return List.copyOf(totals.values());
    }

    private ReadOnlyWindowStore<String, UsageWindow> store(UsageGranularity granularity) {
        String name = granularity == UsageGranularity.DAY ? UsageTopology.DAILY_STORE : UsageTopology.HOURLY_STORE;
        return stores.apply(name);
    }

    static Duration size(UsageGranularity granularity) {
        return granularity == UsageGranularity.DAY ? Duration.ofDays(1) : Duration.ofHours(1);
    }
}
