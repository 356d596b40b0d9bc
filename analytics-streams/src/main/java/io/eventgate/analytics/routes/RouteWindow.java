package io.eventgate.analytics.routes;

import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RouteStats;
import io.eventgate.avro.StatsGranularity;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The running figures of one route in one window: counts by status class, bytes, retries, non-allow
 * decisions by kind, and the gateway latencies in an HdrHistogram (a mergeable sketch with 3 significant
 * digits, so its percentiles are within 0.1 % of the exact ones, and so are those of merged windows).
 */
public final class RouteWindow {
    static final int SIGNIFICANT_DIGITS = 3;
    private static final long MAX_TRACKED_MICROS = 3_600_000_000L;

    final long[] statusClasses = new long[6];
    long requests;
    long bytesIn;
    long bytesOut;
    long retries;
    final TreeMap<String, Long> decisions = new TreeMap<>();
    final Histogram latencyMicros;

    public RouteWindow() {
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
        if (event.getDecision() != null && !"allow".equals(event.getDecision())) {
            decisions.merge(event.getDecision(), 1L, Long::sum);
        }
        latencyMicros.recordValue(Math.max(0, Math.min(MAX_TRACKED_MICROS, event.getGatewayLatencyMicros())));
        return this;
    }

    /** Adds another window's figures to this one (for a query step longer than the stored window). */
    public RouteWindow merge(RouteWindow other) {
        for (int i = 0; i < statusClasses.length; i++) {
            statusClasses[i] += other.statusClasses[i];
        }
        requests += other.requests;
        bytesIn += other.bytesIn;
        bytesOut += other.bytesOut;
        retries += other.retries;
        other.decisions.forEach((kind, count) -> decisions.merge(kind, count, Long::sum));
        latencyMicros.add(other.latencyMicros);
        return this;
    }

    public RouteStats toStats(String routeId, StatsGranularity granularity, long start, long end) {
        return RouteStats.newBuilder()
                .setRouteId(routeId)
                .setGranularity(granularity)
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
                .setDecisions(Map.copyOf(decisions))
                .build();
    }

    /** The window store's serde: the counters, the histogram in HdrHistogram's compressed encoding, then the decisions. */
    static Serde<RouteWindow> serde() {
        return Serdes.serdeFrom((topic, window) -> {
            ByteBuffer histogram = ByteBuffer.allocate(window.latencyMicros.getNeededByteBufferCapacity());
            int length = window.latencyMicros.encodeIntoCompressedByteBuffer(histogram);
            int decisionBytes = 4;
            for (String kind : window.decisions.keySet()) {
                decisionBytes += 4 + kind.getBytes(StandardCharsets.UTF_8).length + 8;
            }
            ByteBuffer out = ByteBuffer.allocate(8 * 10 + 4 + length + decisionBytes);
            for (long count : window.statusClasses) {
                out.putLong(count);
            }
            out.putLong(window.requests).putLong(window.bytesIn).putLong(window.bytesOut).putLong(window.retries);
            out.putInt(length).put(histogram.array(), 0, length);
            out.putInt(window.decisions.size());
            window.decisions.forEach((kind, count) -> {
                byte[] name = kind.getBytes(StandardCharsets.UTF_8);
                out.putInt(name.length).put(name).putLong(count);
            });
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
            in.position(in.position() + length);
            RouteWindow window = new RouteWindow(histogram);
            System.arraycopy(classes, 0, window.statusClasses, 0, 6);
            window.requests = requests;
            window.bytesIn = bytesIn;
            window.bytesOut = bytesOut;
            window.retries = retries;
            for (int kinds = in.getInt(); kinds > 0; kinds--) {
                byte[] name = new byte[in.getInt()];
                in.get(name);
                window.decisions.put(new String(name, StandardCharsets.UTF_8), in.getLong());
            }
            return window;
        });
    }
}
