package io.eventgate.edge.observe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eventgate.edge.pipeline.Exchange;
import java.util.logging.Logger;

/** The optional structured access log: one JSON object per request on logger {@code io.eventgate.edge.access}. */
public final class AccessLog {
    private static final Logger LOG = Logger.getLogger("io.eventgate.edge.access");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final boolean enabled;

    public AccessLog(boolean enabled) {
        this.enabled = enabled;
    }

    public void record(Exchange exchange, long elapsedNanos) {
        if (!enabled) {
            return;
        }
        ObjectNode line = JSON.createObjectNode()
                .put("time", exchange.receivedAt().toString())
                .put("requestId", exchange.requestId())
                .put("traceId", exchange.traceId())
                .put("client", exchange.clientAddress())
                .put("method", exchange.method())
                .put("host", exchange.authority())
                .put("path", exchange.path())
                .put("route", exchange.route() == null ? null : exchange.route().id())
                .put("status", exchange.status())
                .put("outcome", exchange.outcome().name())
                .put("consumer", exchange.consumerId())
                .put("upstream", exchange.upstreamInstance())
                .put("retries", exchange.retries())
                .put("bytesIn", exchange.bytesIn())
                .put("bytesOut", exchange.bytesOut())
                .put("durationMicros", elapsedNanos / 1_000)
                .put("decision", exchange.decision());
        LOG.info(line.toString());
    }
}
