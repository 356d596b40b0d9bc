package io.eventgate.analytics.partials;

import io.eventgate.avro.RequestEvent;
import java.time.Duration;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Combines requests into one partial window per key (route or consumer) and window, and forwards the partials
 * once per interval, oldest first, each with its latest request's time: downstream windowed aggregates then
 * merge a few partials per interval instead of reading and writing their state once per request. Forwarding
 * in order of the requests' times keeps the downstream stream time, and so its grace, as it would be per
 * request.
 */
public final class PartialsProcessor<V> implements Processor<String, RequestEvent, String, V> {

    /**
     * What to combine: the partials' store, the window size, the key of a request, an empty partial, how a
     * request is added to one, the partials' serde (for the changelog), and how often they are forwarded.
     */
    public record Spec<V>(String store, Duration window, Function<RequestEvent, String> keyOf, Supplier<V> empty,
                          BiConsumer<V, RequestEvent> add, Serde<V> serde, Duration interval) {
    }

    private final Spec<V> spec;
    private final long windowMillis;
    private PartialsStore<V> partials;

    private PartialsProcessor(Spec<V> spec) {
        this.spec = spec;
        this.windowMillis = spec.window().toMillis();
    }

    public static <V> ProcessorSupplier<String, RequestEvent, String, V> supplier(Spec<V> spec) {
        return new ProcessorSupplier<>() {
            @Override
            public Processor<String, RequestEvent, String, V> get() {
                return new PartialsProcessor<>(spec);
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                return Set.of(PartialsStore.builder(spec.store(), spec.serde()));
            }
        };
    }

    @Override
    public void init(ProcessorContext<String, V> context) {
        partials = context.getStateStore(spec.store());
        partials.recover();
        context.schedule(spec.interval(), PunctuationType.WALL_CLOCK_TIME, now ->
                partials.drain().forEach(partial -> context.forward(new Record<>(partial.key(), partial.value, partial.timestamp()))));
    }

    @Override
    public void process(Record<String, RequestEvent> request) {
        long windowStart = Math.floorDiv(request.timestamp(), windowMillis) * windowMillis;
        V partial = partials.partial(new PartialKey(spec.keyOf().apply(request.value()), windowStart), request.timestamp(), spec.empty());
        spec.add().accept(partial, request.value());
    }
}
