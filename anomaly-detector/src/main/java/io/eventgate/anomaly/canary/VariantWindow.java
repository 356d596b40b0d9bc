package io.eventgate.anomaly.canary;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import io.eventgate.streams.LatencySketches;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** One route's window of a weighted split: per variant (destination pool), its requests, its 5xx answers and its latencies. */
public final class VariantWindow {
    /** One variant's share of the window. */
    public static final class Variant {
        long requests;
        long errors;
        final DDSketch latencies;

        Variant(long requests, long errors, DDSketch latencies) {
            this.requests = requests;
            this.errors = errors;
            this.latencies = latencies;
        }

        public long requests() {
            return requests;
        }

        public long errors() {
            return errors;
        }

        public DDSketch latencies() {
            return latencies;
        }

        double errorRate() {
            return requests == 0 ? 0 : (double) errors / requests;
        }
    }

    private final Map<String, Variant> variants = new TreeMap<>();

    /** Counts one request that {@code variant} answered with {@code status} after {@code latencyMicros}. */
    public VariantWindow add(String variant, int status, long latencyMicros) {
        Variant counts = variants.computeIfAbsent(variant, v -> new Variant(0, 0, LatencySketches.empty()));
        counts.requests++;
        if (status >= 500) {
            counts.errors++;
        }
        counts.latencies.accept(Math.max(0, latencyMicros));
        return this;
    }

    public Map<String, Variant> variants() {
        return variants;
    }

    /** The window as its store and changelog keep it: per variant its name, counts and encoded sketch. */
    public static Serde<VariantWindow> serde() {
        return Serdes.serdeFrom((topic, window) -> {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeInt(window.variants.size());
                for (Map.Entry<String, Variant> entry : window.variants.entrySet()) {
                    out.writeUTF(entry.getKey());
                    out.writeLong(entry.getValue().requests);
                    out.writeLong(entry.getValue().errors);
                    GrowingByteArrayOutput sketch = LatencySketches.encode(entry.getValue().latencies);
                    out.writeInt(sketch.numWrittenBytes());
                    out.write(sketch.backingArray(), 0, sketch.numWrittenBytes());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        }, (topic, data) -> {
            VariantWindow window = new VariantWindow();
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
                int count = in.readInt();
                for (int i = 0; i < count; i++) {
                    String name = in.readUTF();
                    long requests = in.readLong();
                    long errors = in.readLong();
                    byte[] sketch = new byte[in.readInt()];
                    in.readFully(sketch);
                    window.variants.put(name, new Variant(requests, errors, LatencySketches.decode(sketch, 0, sketch.length)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return window;
        });
    }
}
