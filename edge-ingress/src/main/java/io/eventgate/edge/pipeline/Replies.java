package io.eventgate.edge.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventgate.avro.RequestOutcome;
import java.nio.charset.StandardCharsets;

/** Answers the gateway gives itself (no route, bad request, upstream failure): a JSON body with a code, a message and the request id. */
public final class Replies {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Replies() {
    }

    public static void json(Exchange exchange, int status, RequestOutcome outcome, String error, String message) {
        json(exchange, status, outcome, error, message, java.util.Map.of());
    }

    /** The same answer with more fields after the message (which field of a body was wrong, and how). */
    public static void json(Exchange exchange, int status, RequestOutcome outcome, String error, String message, java.util.Map<String, String> details) {
        exchange.ended(status, outcome);
        ClientConnection client = exchange.client();
        if (client.committed()) {
            return; // the upstream's status already went out; the connection is closed by the caller
        }
        var answer = JSON.createObjectNode().put("error", error).put("message", message);
        details.forEach(answer::put);
        byte[] body = answer.put("requestId", exchange.requestId()).toString().getBytes(StandardCharsets.UTF_8);
        client.status(status);
        client.header("Content-Type", "application/json");
        client.header("X-Request-Id", exchange.requestId());
        exchange.writeResponseHeaders();
        client.contentLength(body.length);
        client.send(body);
        exchange.addBytesOut(body.length);
    }
}
