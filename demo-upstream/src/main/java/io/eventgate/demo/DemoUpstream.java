package io.eventgate.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * A small upstream service for local mode and tests: {@code /echo/**} answers with the request it saw,
 * {@code /status/{code}} with that status, {@code /delay/{ms}} after a pause, {@code /bytes/{n}} with n
 * streamed bytes, {@code /health} with 200, and the WebSocket {@code /ws/echo} sends every message back.
 */
public final class DemoUpstream implements HttpService, AutoCloseable {
    static final long MAX_DELAY_MS = 60_000;
    static final long MAX_BYTES = 4L * 1024 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private WebServer server;

    /** Starts on {@code host:port}; port 0 picks a free port. */
    public static DemoUpstream start(String host, int port) {
        DemoUpstream upstream = new DemoUpstream();
        upstream.server = WebServer.builder()
                .host(host)
                .port(port)
                .routing(routing -> routing.register(upstream))
                .addRouting(WsRouting.builder().endpoint("/ws/echo", new WsListener() {
                    @Override
                    public void onMessage(WsSession session, String text, boolean last) {
                        session.send(text, last);
                    }

                    @Override
                    public void onMessage(WsSession session, BufferData buffer, boolean last) {
                        session.send(buffer, last);
                    }
                }))
                .build()
                .start();
        return upstream;
    }

    public int port() {
        return server.port();
    }

    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any("/echo", this::echo)
                .any("/echo/*", this::echo)
                .any("/status/{code}", this::status)
                .any("/delay/{ms}", this::delay)
                .get("/bytes/{n}", this::bytes)
                .get("/health", (req, res) -> res.send("ok"));
    }

    private void echo(ServerRequest req, ServerResponse res) {
        ObjectNode answer = JSON.createObjectNode();
        answer.put("method", req.prologue().method().text());
        answer.put("path", req.path().rawPath());
        answer.put("query", req.query().rawValue());
        ObjectNode headers = answer.putObject("headers");
        req.headers().forEach(h -> {
            var values = headers.putArray(h.name().toLowerCase(java.util.Locale.ROOT));
            h.allValues().forEach(values::add);
        });
        answer.put("body", req.content().hasEntity() ? req.content().as(String.class) : "");
        res.header(HeaderNames.CONTENT_TYPE, "application/json").send(answer.toString());
    }

    private void status(ServerRequest req, ServerResponse res) {
        int code = number(req, "code", 100, 599);
        if (code < 0) {
            res.status(Status.BAD_REQUEST_400).send("status code must be between 100 and 599");
            return;
        }
        if (code == 204 || code == 304 || code < 200) {
            res.status(Status.create(code)).send(); // these statuses never carry a body
            return;
        }
        res.status(Status.create(code)).header(HeaderNames.CONTENT_TYPE, "application/json").send("{\"status\":" + code + "}");
    }

    private void delay(ServerRequest req, ServerResponse res) {
        long ms = number(req, "ms", 0, MAX_DELAY_MS);
        if (ms < 0) {
            res.status(Status.BAD_REQUEST_400).send("delay must be between 0 and " + MAX_DELAY_MS + " ms");
            return;
        }
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/json").send("{\"delayedMs\":" + ms + "}");
    }

    private void bytes(ServerRequest req, ServerResponse res) {
        long n = number(req, "n", 0, MAX_BYTES);
        if (n < 0) {
            res.status(Status.BAD_REQUEST_400).send("byte count must be between 0 and " + MAX_BYTES);
            return;
        }
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'x');
        res.header(HeaderNames.CONTENT_TYPE, "application/octet-stream").contentLength(n);
        try (OutputStream out = res.outputStream()) {
            for (long left = n; left > 0; left -= chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long number(ServerRequest req, String name, long min, long max) {
        try {
            long value = Long.parseLong(req.path().pathParameters().get(name));
            return value < min || value > max ? -1 : value;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int number(ServerRequest req, String name, int min, int max) {
        return (int) number(req, name, (long) min, (long) max);
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop();
        }
    }

}
