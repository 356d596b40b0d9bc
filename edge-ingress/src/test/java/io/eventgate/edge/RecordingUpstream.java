package io.eventgate.edge;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real upstream that remembers every request it saw, plain HTTP and WebSocket upgrades alike (path, query and
 * headers), answers HTTP with 200 and echoes WebSocket messages; WebSocket upgrades under {@code /nows/} are refused.
 */
public final class RecordingUpstream implements AutoCloseable {
    /** One request as the upstream saw it. */
    public record Seen(String kind, String path, String query, Map<String, List<String>> headers) {
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
            return values == null ? null : values.getFirst();
        }
    }

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final WebServer server;

    private RecordingUpstream() {
        this.server = WebServer.builder().host("127.0.0.1").port(0)
                .routing(r -> r.any((req, res) -> {
                    if (req.content().hasEntity()) {
                        req.content().consume();
                    }
                    seen.add(new Seen("http", req.path().rawPath(), req.query().rawValue(), headers(req.headers())));
                    res.send("seen " + req.path().rawPath());
                }))
                .addRouting(WsRouting.builder().endpoint("/*", Echo::new))
                .build().start();
    }

    public static RecordingUpstream start() {
        return new RecordingUpstream();
    }

    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    /** Every request seen whose path is {@code path}. */
    public List<Seen> seen(String path) {
        return seen.stream().filter(s -> s.path().equals(path)).toList();
    }

    private static Map<String, List<String>> headers(Headers headers) {
        Map<String, List<String>> all = new ConcurrentHashMap<>();
        headers.forEach(h -> all.put(h.name().toLowerCase(java.util.Locale.ROOT), h.allValues()));
        return all;
    }

    private final class Echo implements WsListener {
        @Override
        public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
            String path = prologue.uriPath().rawPath();
            seen.add(new Seen("websocket", path, prologue.query().rawValue(), RecordingUpstream.headers(headers)));
            if (path.startsWith("/nows/")) {
                throw new WsUpgradeException("no WebSocket here");
            }
            return Optional.empty();
        }

        @Override
        public void onMessage(WsSession session, String text, boolean last) {
            session.send(text, last);
        }

        @Override
        public void onMessage(WsSession session, BufferData buffer, boolean last) {
            session.send(buffer, last);
        }
    }

    @Override
    public void close() {
        server.stop();
    }

}
