package io.eventgate.analytics.routes;

import io.eventgate.avro.RequestEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * What route statistics need of one request, and nothing more: the repartition by route carries these
 * few bytes instead of the whole RequestEvent, which is most of the topology's cost at high rates.
 */
record RouteSample(int status, long latencyMicros, long bytesIn, long bytesOut, int retries, String decision) {

    static RouteSample of(RequestEvent event) {
        String decision = event.getDecision() == null || "allow".equals(event.getDecision()) ? null : event.getDecision();
        return new RouteSample(event.getStatus(), event.getGatewayLatencyMicros(), event.getBytesIn(), event.getBytesOut(), event.getRetries(), decision);
    }

    /** Fixed fields, then the decision's length (0 for a plain allow) and UTF-8 bytes. */
    static Serde<RouteSample> serde() {
        return Serdes.serdeFrom((topic, sample) -> {
            byte[] decision = sample.decision == null ? new byte[0] : sample.decision.getBytes(StandardCharsets.UTF_8);
            return ByteBuffer.allocate(4 + 8 * 3 + 4 + 2 + decision.length).putInt(sample.status).putLong(sample.latencyMicros)
                    .putLong(sample.bytesIn).putLong(sample.bytesOut).putInt(sample.retries).putShort((short) decision.length).put(decision).array();
        }, (topic, bytes) -> {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            int status = in.getInt();
            long latency = in.getLong();
            long bytesIn = in.getLong();
            long bytesOut = in.getLong();
            int retries = in.getInt();
            byte[] decision = new byte[in.getShort()];
            in.get(decision);
            return new RouteSample(status, latency, bytesIn, bytesOut, retries, decision.length == 0 ? null : new String(decision, StandardCharsets.UTF_8));
        });
    }
}
