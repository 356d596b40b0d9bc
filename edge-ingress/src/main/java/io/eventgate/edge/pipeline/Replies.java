package io.eventgate.edge.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eventgate.avro.RequestOutcome;
import java.nio.charset.StandardCharsets;

/**
 * Answers the gateway gives itself (no route, refusals, upstream failures): RFC 9457 problem details
 * ({@code application/problem+json}: type, title, status, detail, instance, the request id and any details as
 * extensions), or on a route with {@code errorFormat: legacy} the earlier JSON shape (error, message, requestId).
 */
public final class Replies {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * A problem's {@code instance} names the request by its id, never by its path: an answer must not reflect what the
     * client sent, nor tell a caller refused access more about what lies behind the route.
     */
    static final String INSTANCE = "urn:eventgate:request:";

    private Replies() {
    }

    public static void json(Exchange exchange, int status, RequestOutcome outcome, String error, String message) {
        json(exchange, status, outcome, error, message, java.util.Map.of());
    }

    /** The same answer with more members after the detail (which field of a body was wrong, and how; a list of violations). */
    public static void json(Exchange exchange, int status, RequestOutcome outcome, String error, String message, java.util.Map<String, ?> details) {
        exchange.ended(status, outcome);
        ClientConnection client = exchange.client();
        if (client.committed()) {
            return; // the upstream's status already went out; the connection is closed by the caller
        }
        if (exchange.protocol() == Protocol.GRPC) {
            GrpcReplies.refuse(exchange, status, error, message); // a gRPC client reads a status, not an error page
            return;
        }
        boolean legacy = exchange.route() != null && exchange.route().settings().legacyErrors();
        ObjectNode answer = legacy ? JSON.createObjectNode().put("error", error).put("message", message)
                : JSON.createObjectNode().put("type", Problems.type(error)).put("title", Problems.title(error)).put("status", status)
                        .put("detail", message).put("instance", INSTANCE + exchange.requestId());
        details.forEach((name, value) -> answer.set(name, JSON.valueToTree(value)));
        byte[] body = answer.put("requestId", exchange.requestId()).toString().getBytes(StandardCharsets.UTF_8);
        client.status(status);
        client.header("Content-Type", legacy ? "application/json" : "application/problem+json");
        client.header("X-Request-Id", exchange.requestId());
        exchange.writeResponseHeaders();
        client.contentLength(body.length);
        client.send(body);
        exchange.addBytesOut(body.length);
    }
}
