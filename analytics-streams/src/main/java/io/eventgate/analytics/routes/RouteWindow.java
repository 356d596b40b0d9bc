package io.eventgate.analytics.routes;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RouteStats;
import io.eventgate.avro.StatsGranularity;
import io.eventgate.streams.LatencySketches;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The running figures of one route in one window: counts by status class, bytes, retries, non-allow
 * decisions by kind, gRPC calls by status, and the gateway latencies in a DDSketch (see {@link LatencySketches}: mergeable, its
 * quantiles within 0.5 % of the exact ones).
 */
public final class RouteWindow {

    final long[] statusClasses = new long[6];
    long requests;
    long bytesIn;
    long bytesOut;
    long retries;
    final TreeMap<String, Long> decisions = new TreeMap<>();
    final TreeMap<String, Long> grpcStatuses = new TreeMap<>();
    /** gRPC's status codes by number, as the gRPC specification names them. */
    private static final List<String> GRPC_CODES = List.of("OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
            "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL",
            "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED");
    final DDSketch latencyMicros;

    public RouteWindow() {
        this(LatencySketches.empty());
    }

    private RouteWindow(DDSketch sketch) {
        this.latencyMicros = sketch;
    }

    void add(RequestEvent request) {
        requests++;
        statusClasses[Math.max(0, Math.min(5, request.getStatus() / 100))]++;
        bytesIn += request.getBytesIn();
        bytesOut += request.getBytesOut();
        retries += request.getRetries();
        String decision = request.getDecision();
        if (decision != null && !"allow".equals(decision)) {
            decisions.merge(decision, 1L, Long::sum);
        }
        Integer grpc = request.getGrpcStatus();
        if (grpc != null) {
            grpcStatuses.merge(grpc >= 0 && grpc < GRPC_CODES.size() ? GRPC_CODES.get(grpc) : "CODE_" + grpc, 1L, Long::sum);
        }
        latencyMicros.accept(Math.max(0, request.getGatewayLatencyMicros()));
    }

    /** Adds another window's figures to this one: a partial into its window, or windows into a longer query step. */
    public RouteWindow merge(RouteWindow other) {
        for (int i = 0; i < statusClasses.length; i++) {
            statusClasses[i] += other.statusClasses[i];
        }
        requests += other.requests;
        bytesIn += other.bytesIn;
        bytesOut += other.bytesOut;
        retries += other.retries;
        other.decisions.forEach((kind, count) -> decisions.merge(kind, count, Long::sum));
        other.grpcStatuses.forEach((code, count) -> grpcStatuses.merge(code, count, Long::sum));
        latencyMicros.mergeWith(other.latencyMicros);
        return this;
    }

    public RouteStats toStats(String routeId, StatsGranularity granularity, long start, long end) {
        boolean empty = latencyMicros.isEmpty();
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
                .setLatencyP50Micros(empty ? 0 : latencyMicros.getValueAtQuantile(0.50))
                .setLatencyP95Micros(empty ? 0 : latencyMicros.getValueAtQuantile(0.95))
                .setLatencyP99Micros(empty ? 0 : latencyMicros.getValueAtQuantile(0.99))
                .setLatencyMaxMicros(empty ? 0 : latencyMicros.getMaxValue())
                .setBytesIn(bytesIn)
                .setBytesOut(bytesOut)
                .setRetries(retries)
                .setDecisions(Map.copyOf(decisions))
                .setGrpcStatuses(Map.copyOf(grpcStatuses))
                .build();
    }

    /**
     * The serde of the window stores and of the partials: the counters, the latency sketch, the decisions, then the gRPC
     * statuses (absent from windows stored before them, read as none).
     */
    static Serde<RouteWindow> serde() {
        return Serdes.serdeFrom((topic, window) -> {
            GrowingByteArrayOutput sketch = LatencySketches.encode(window.latencyMicros);
            int decisionBytes = 4;
            for (String kind : window.decisions.keySet()) {
                decisionBytes += 4 + kind.getBytes(StandardCharsets.UTF_8).length + 8;
            }
            int grpcBytes = 4;
            for (String code : window.grpcStatuses.keySet()) {
                grpcBytes += 4 + code.getBytes(StandardCharsets.UTF_8).length + 8;
            }
            ByteBuffer out = ByteBuffer.allocate(8 * 10 + 4 + sketch.numWrittenBytes() + decisionBytes + grpcBytes);
            for (long count : window.statusClasses) {
                out.putLong(count);
            }
            out.putLong(window.requests).putLong(window.bytesIn).putLong(window.bytesOut).putLong(window.retries);
            out.putInt(sketch.numWrittenBytes()).put(sketch.backingArray(), 0, sketch.numWrittenBytes());
            out.putInt(window.decisions.size());
            window.decisions.forEach((kind, count) -> {
                byte[] name = kind.getBytes(StandardCharsets.UTF_8);
                out.putInt(name.length).put(name).putLong(count);
            });
            out.putInt(window.grpcStatuses.size());
            window.grpcStatuses.forEach((code, count) -> {
                byte[] name = code.getBytes(StandardCharsets.UTF_8);
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
            DDSketch sketch = LatencySketches.decode(bytes, in.position(), length);
            in.position(in.position() + length);
            RouteWindow window = new RouteWindow(sketch);
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
            for (int codes = in.hasRemaining() ? in.getInt() : 0; codes > 0; codes--) {
                byte[] name = new byte[in.getInt()];
                in.get(name);
                window.grpcStatuses.put(new String(name, StandardCharsets.UTF_8), in.getLong());
            }
            return window;
        });
    }
}
