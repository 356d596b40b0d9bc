package io.eventgate.streams;

import io.eventgate.schemas.EventHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Drops the copies of edge events that a crash or a resend puts on a topic (the edge delivers at least once). Each
 * edge node numbers its events in publish order ({@link EventHeaders}) and Kafka keeps that order within a
 * partition, so an event whose sequence is not above the highest seen from its node in its partition is a copy. The
 * store is per task, that is per input partition, and holds one number per edge node; it is changelogged, so a
 * restarted or moved task keeps dropping what it already counted. Apply it right after the source.
 */
public final class EventCopies {
    private EventCopies() {
    }

    public static <V> KStream<String, V> drop(StreamsBuilder builder, KStream<String, V> events, String store) {
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(store), Serdes.String(), Serdes.Long()));
        return events.processValues(() -> new DropCopies<>(store), Named.as(store + "-dropped"), store);
    }

    private static final class DropCopies<V> implements FixedKeyProcessor<String, V, V> {
        private final String storeName;
        private FixedKeyProcessorContext<String, V> context;
        private KeyValueStore<String, Long> highest;

        DropCopies(String storeName) {
            this.storeName = storeName;
        }

        @Override
        public void init(FixedKeyProcessorContext<String, V> context) {
            this.context = context;
            this.highest = context.getStateStore(storeName);
        }

        @Override
        public void process(FixedKeyRecord<String, V> record) {
            String node = EventHeaders.node(record.headers());
            long sequence = EventHeaders.sequence(record.headers());
            if (node != null && sequence >= 0) {
                Long seen = highest.get(node);
                if (seen != null && sequence <= seen) {
                    return; // a copy of an event already counted
                }
                highest.put(node, sequence);
            }
            context.forward(record);
        }
    }
}
