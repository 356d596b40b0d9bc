package io.eventgate.edge.proxy;

import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.pipeline.EventSink;
import io.eventgate.edge.routing.BadRequestPath;
import io.eventgate.edge.routing.HostPattern;
import io.eventgate.edge.routing.PathNormalizer;
import io.eventgate.edge.routing.RequestView;
import io.eventgate.edge.routing.Route;
import io.eventgate.edge.routing.RouteTable;
import io.eventgate.edge.snapshot.Snapshot;
import io.eventgate.edge.snapshot.SnapshotHolder;
import io.eventgate.edge.upstream.Instance;
import io.eventgate.edge.upstream.UpstreamPool;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Proxies a WebSocket session: the upgrade is routed like any request (normalised path, route table,
 * route switch), then frames are relayed both ways to an instance of the route's pool, with JDK's
 * WebSocket client on the upstream side. Closing either side closes the other. One RequestEvent is
 * published per session, when it ends, with status 101 and the bytes relayed.
 */
public final class WebSocketProxy implements WsListener {
    private static final Logger LOG = Logger.getLogger(WebSocketProxy.class.getName());
    private static final HttpClient UPSTREAM_CLIENT = HttpClient.newHttpClient();

    private final String nodeId;
    private final SnapshotHolder snapshots;
    private final EventSink events;
    private final Instant openedAt = Instant.now();
    private final long startNanos = System.nanoTime();
    private final AtomicLong bytesIn = new AtomicLong();
    private final AtomicLong bytesOut = new AtomicLong();
    private final AtomicBoolean recorded = new AtomicBoolean();
    private String requestId;
    private String path;
    private String host;
    private Route route;
    private UpstreamPool pool;
    private Instance instance;
    private URI upstreamUri;
    private String clientAddress;
    private volatile WebSocket upstream;

    public WebSocketProxy(String nodeId, SnapshotHolder snapshots, EventSink events) {
        this.nodeId = nodeId;
        this.snapshots = snapshots;
        this.events = events;
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
        requestId = headers.first(HeaderNames.create("X-Request-Id")).orElse(UUID.randomUUID().toString());
        host = headers.first(HeaderNames.HOST).orElse(null);
        try {
            path = PathNormalizer.normalize(prologue.uriPath().rawPath());
        } catch (BadRequestPath e) {
            throw new WsUpgradeException("refused WebSocket upgrade: " + e.getMessage());
        }
        Snapshot snapshot = snapshots.get();
        RequestView view = new RequestView() {
            @Override
            public String method() {
                return "GET";
            }

            @Override
            public String host() {
                return HostPattern.hostOf(host);
            }

            @Override
            public String path() {
                return path;
            }

            @Override
            public String header(String name) {
                return headers.first(HeaderNames.create(name)).orElse(null);
            }
        };
        Optional<RouteTable.Match> match = snapshot.routes().match(view);
        if (match.isEmpty() || snapshot.routeDisabled(match.get().route().id())) {
            throw new WsUpgradeException("no route for WebSocket " + path);
        }
        route = match.get().route();
        pool = snapshot.pool(route.choosePool());
        instance = pool.choose(null).orElseThrow(() -> new WsUpgradeException("no healthy instance in pool " + pool.name()));
        URI base = instance.uri();
        String query = prologue.query().rawValue();
        upstreamUri = URI.create("ws://" + base.getRawAuthority() + route.upstreamPath(path) + (query == null || query.isEmpty() ? "" : "?" + query));
        return Optional.empty();
    }

    @Override
    public void onOpen(WsSession session) {
        clientAddress = session.socketContext().remotePeer().host();
        try {
            upstream = UPSTREAM_CLIENT.newWebSocketBuilder()
                    .connectTimeout(route.settings().timeouts().connect())
                    .header("X-Forwarded-For", clientAddress)
                    .header("X-Request-Id", requestId)
                    .buildAsync(upstreamUri, new UpstreamListener(session))
                    .get(route.settings().timeouts().connect().toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warning("WebSocket " + requestId + " on route " + route.id() + ": upstream " + upstreamUri + " refused: " + e);
            session.close(1011, "upstream unavailable");
            record(RequestOutcome.UPSTREAM_FAILURE, 502);
        }
    }

    @Override
    public void onMessage(WsSession session, String text, boolean last) {
        bytesIn.addAndGet(text.length());
        upstream.sendText(text, last).join();
    }

    @Override
    public void onMessage(WsSession session, BufferData buffer, boolean last) {
        byte[] bytes = new byte[buffer.available()];
        buffer.read(bytes);
        bytesIn.addAndGet(bytes.length);
        upstream.sendBinary(ByteBuffer.wrap(bytes), last).join();
    }

    @Override
    public void onClose(WsSession session, int status, String reason) {
        WebSocket up = upstream;
        if (up != null && !up.isOutputClosed()) {
            up.sendClose(status, reason == null ? "" : reason);
        }
        record(RequestOutcome.PROXIED, 101);
    }

    @Override
    public void onError(WsSession session, Throwable error) {
        WebSocket up = upstream;
        if (up != null) {
            up.abort();
        }
        record(RequestOutcome.CLIENT_ABORT, 499);
    }

    private void record(RequestOutcome outcome, int status) {
        if (!recorded.compareAndSet(false, true)) {
            return;
        }
        events.publish(RequestEvent.newBuilder()
                .setRequestId(requestId)
                .setTraceId("00000000000000000000000000000000")
                .setTimestamp(openedAt)
                .setNode(nodeId)
                .setRouteId(route == null ? null : route.id())
                .setMethod("GET")
                .setPath(path)
                .setHost(host)
                .setStatus(status)
                .setGatewayLatencyMicros((System.nanoTime() - startNanos) / 1_000)
                .setBytesIn(bytesIn.get())
                .setBytesOut(bytesOut.get())
                .setConsumerId("anonymous")
                .setClientAddress(clientAddress == null ? "" : clientAddress)
                .setUpstreamInstance(instance == null ? null : instance.address())
                .setOutcome(outcome)
                .build());
    }

    /** Relays the upstream's frames to the client. */
    private final class UpstreamListener implements WebSocket.Listener {
        private final WsSession client;

        UpstreamListener(WsSession client) {
            this.client = client;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            bytesOut.addAndGet(data.length());
            client.send(data.toString(), last);
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            bytesOut.addAndGet(bytes.length);
            client.send(BufferData.create(bytes), last);
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            client.close(statusCode, reason);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            LOG.warning("WebSocket " + requestId + " on route " + (route == null ? "-" : route.id()) + ": upstream failed: " + error);
            client.close(1011, "upstream failed");
        }
    }
}
