package io.eventgate.streams;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import com.datadoghq.sketch.ddsketch.mapping.IndexMapping;
import com.datadoghq.sketch.ddsketch.mapping.LogarithmicMapping;
import com.datadoghq.sketch.ddsketch.store.CollapsingLowestDenseStore;
import com.datadoghq.sketch.ddsketch.store.Store;
import java.io.IOException;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Latency sketches as every app keeps them in its state: DDSketches whose quantiles are within
 * {@value #RELATIVE_ACCURACY} (relative) of the exact ones, for one window as for any merge of windows, and
 * whose store holds only the bins between the smallest and largest value seen, so reading and writing one
 * per request stays cheap.
 */
public final class LatencySketches {
    public static final double RELATIVE_ACCURACY = 0.005;
    private static final IndexMapping MAPPING = new LogarithmicMapping(RELATIVE_ACCURACY);
    /** 2,048 bins span 1 µs to over an hour at this accuracy; beyond that the lowest bins collapse. */
    private static final Supplier<Store> STORE = () -> new CollapsingLowestDenseStore(2048);

    private LatencySketches() {
    }

    public static DDSketch empty() {
        return new DDSketch(MAPPING, STORE);
    }

    /** The sketch in DDSketch's own encoding, without the mapping, which is fixed. */
    public static GrowingByteArrayOutput encode(DDSketch sketch) {
        GrowingByteArrayOutput out = GrowingByteArrayOutput.withInitialCapacity(256);
        try {
            sketch.encode(out, true);
        } catch (IOException e) {
            throw new SerializationException("cannot encode a latency sketch", e);
        }
        return out;
    }

    public static DDSketch decode(byte[] bytes, int offset, int length) {
        try {
            return DDSketch.decode(ByteArrayInput.wrap(bytes, offset, length), STORE, MAPPING);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("a latency sketch in the state is corrupt", e);
        }
    }
}
