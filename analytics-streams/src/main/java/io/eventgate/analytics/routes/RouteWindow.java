package io.eventgate.analytics.routes;

import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RouteStats;
import io.eventgate.avro.StatsGranularity;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The running figures of one route in one window: counts by status class, bytes, retries, and the gateway
 * latencies in an HdrHistogram (a mergeable sketch with 3 significant digits, so its percentiles are
 * within 0.1 % of the exact ones).
 */
final class RouteWindow {
    static final int SIGNIFICANT_DIGITS = 3;
    private static final long MAX_TRACKED_MICROS = 3_600_000_000L;

    final long[] statusClasses = new long[6];
    long requests;
    long bytesIn;
    long bytesOut;
    long retries;
    final Histogram latencyMicros;

    RouteWindow() {
        this(new Histogram(MAX_TRACKED_MICROS, SIGNIFICANT_DIGITS));
    }

    private RouteWindow(Histogram histogram) {
        this.latencyMicros = histogram;
    }

    RouteWindow add(RequestEvent event) {
        requests++;
        statusClasses[Math.max(0, Math.min(5, event.getStatus() / 100))]++;
        bytesIn += event.getBytesIn();
        bytesOut += event.getBytesOut();
        retries += event.getRetries();
        latencyMicros.recordValue(Math.max(0, Math.min(MAX_TRACKED_MICROS, event.getGatewayLatencyMicros())));
        return this;
    }

    RouteStats toStats(String routeId, long start, long end) {
        return RouteStats.newBuilder()
                .setRouteId(routeId)
                .setGranularity(StatsGranularity.MINUTE)
                .setWindowStart(Instant.ofEpochMilli(start))
                .setWindowEnd(Instant.ofEpochMilli(end))
                .setRequests(requests)
                .setStatus1xx(statusClasses[1])
                .setStatus2xx(statusClasses[2])
                .setStatus3xx(statusClasses[3])
                .setStatus4xx(statusClasses[4])
                .setStatus5xx(statusClasses[5])
                .setLatencyP50Micros(latencyMicros.getValueAtPercentile(50))
                .setLatencyP95Micros(latencyMicros.getValueAtPercentile(95))
                .setLatencyP99Micros(latencyMicros.getValueAtPercentile(99))
                .setLatencyMaxMicros(latencyMicros.getMaxValue())
                .setBytesIn(bytesIn)
                .setBytesOut(bytesOut)
                .setRetries(retries)
                .setDecisions(Map.of())
                .build();
    }

    /** The window store's serde: the counters, then the histogram in HdrHistogram's compressed encoding. */
    static Serde<RouteWindow> serde() {
        return Serdes.serdeFrom((topic, window) -> {
            ByteBuffer histogram = ByteBuffer.allocate(window.latencyMicros.getNeededByteBufferCapacity());
            int length = window.latencyMicros.encodeIntoCompressedByteBuffer(histogram);
            ByteBuffer out = ByteBuffer.allocate(8 * 10 + 4 + length);
            for (long count : window.statusClasses) {
                out.putLong(count);
            }
            out.putLong(window.requests).putLong(window.bytesIn).putLong(window.bytesOut).putLong(window.retries);
            out.putInt(length).put(histogram.array(), 0, length);
            return out.array();
        }, (topic, bytes) -> {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            long[] classes = new long[6];
            for (int i = 0; i < 6; i++) {
                classes[i] = in.getLong();
            }
            long requests = in.getLong();
            long bytesIn = in.getLong();
            long bytesOut = in.getLong();
            long retries = in.getLong();
            int length = in.getInt();
            Histogram histogram;
            try {
                histogram = Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes, in.position(), length), MAX_TRACKED_MICROS);
            } catch (DataFormatException e) {
                throw new SerializationException("route window state of topic " + topic + " has a corrupt histogram", e);
            }
            RouteWindow window = new RouteWindow(histogram);
            System.arraycopy(classes, 0, window.statusClasses, 0, 6);
            window.requests = requests;
            window.bytesIn = bytesIn;
            window.bytesOut = bytesOut;
            window.retries = retries;
            return window;
        });
    }
}
