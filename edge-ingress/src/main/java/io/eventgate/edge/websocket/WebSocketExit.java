package io.eventgate.edge.websocket;

import io.eventgate.avro.DecisionKind;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.limits.TokenBucket;
import io.eventgate.edge.observe.EdgeMetrics;
import io.eventgate.edge.observe.EdgeTracing;
import io.eventgate.edge.pipeline.Admitted;
import io.eventgate.edge.pipeline.ClientStream;
import io.eventgate.edge.pipeline.Decisions;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Exit;
import io.eventgate.edge.pipeline.Replies;
import io.eventgate.edge.proxy.UpstreamClients;
import io.eventgate.edge.proxy.UpstreamExchange;
import io.eventgate.edge.proxy.UpstreamFailure;
import io.eventgate.edge.proxy.UpstreamHeaders;
import io.eventgate.edge.proxy.UpstreamReplies;
import io.eventgate.edge.proxy.UpstreamRequestHead;
import io.eventgate.edge.routing.Route;
import io.eventgate.edge.upstream.Instance;
import io.eventgate.edge.upstream.UpstreamPool;
import io.eventgate.policy.model.RouteSettings;
import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.webclient.api.ClientConnection;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/**
 * The WebSocket exit of the pipeline: an admitted upgrade is offered to an instance of the route's pool first, and only
 * the upstream's {@code 101} is answered with a 101 (any other answer, or no answer, is a 502 or 504 and nothing is
 * switched). Then the session's frames are relayed unchanged both ways, the client's messages counted against the
 * route's {@code rateLimits.messages} (exceeding it closes both sides with 1008). The request's one RequestEvent is
 * published when the session ends, with status 101 and the bytes relayed each way.
 */
public final class WebSocketExit implements Exit {
    private static final Logger LOG = Logger.getLogger(WebSocketExit.class.getName());
    static final int POLICY_VIOLATION = 1008;

    private final String nodeId;
    private final UpstreamClients clients;
    private final EdgeTracing tracing;
    private final EdgeMetrics metrics;

    private final io.eventgate.edge.routing.Variants variants;

    public WebSocketExit(String nodeId, UpstreamClients clients, EdgeTracing tracing, EdgeMetrics metrics, io.eventgate.edge.routing.Variants variants) {
        this.variants = variants;
        this.nodeId = nodeId;
        this.clients = clients;
        this.tracing = tracing;
        this.metrics = metrics;
    }

    @Override
    public void serve(Admitted admitted) {
        Exchange exchange = admitted.exchange();
        Route route = exchange.route();
        RouteSettings settings = route.settings();
        Optional<io.eventgate.edge.routing.Variants.Target> chosen = variants.target(exchange);
        if (chosen.isEmpty()) {
            return;
        }
        UpstreamPool pool = chosen.get().pool();
        Instance instance = chosen.get().instance();
        String target = route.upstreamTarget(exchange.path(), exchange.pathVariables(), exchange.rawQuery());
        Span span = tracing.startUpstreamSpan(exchange.span(), "GET " + pool.name() + " (WebSocket)");
        UpstreamRequestHead head = UpstreamHeaders.write(exchange, instance, tracing, span, new UpstreamRequestHead("GET", target))
                .header("Connection", "Upgrade")
                .header("Upgrade", "websocket");

        pool.started(instance);
        long started = System.nanoTime();
        ClientConnection upstream = null;
        UpstreamExchange answer;
        try {
            upstream = clients.open(instance, settings.timeouts().connect());
            upstream.readTimeout(settings.timeouts().firstByte());
            answer = UpstreamExchange.send(upstream, head, null).receive(false);
        } catch (RuntimeException e) {
            if (upstream != null) {
                upstream.closeResource();
            }
            long latency = System.nanoTime() - started;
            pool.finished(instance, latency, true);
            exchange.addUpstreamLatency(latency);
            span.setStatus(StatusCode.ERROR, "handshake failed");
            span.end();
            UpstreamReplies.failed(exchange, UpstreamFailure.classify(e, false), instance);
            return;
        }
        long latency = System.nanoTime() - started;
        exchange.addUpstreamLatency(latency);
        metrics.upstreamLatency(pool.name(), latency);
        span.setAttribute("http.response.status_code", answer.status());
        span.end();
        if (answer.status() != 101) {
            answer.close();
            pool.finished(instance, latency, answer.status() >= 500);
            Replies.json(exchange, 502, RequestOutcome.UPSTREAM_FAILURE, "upgrade_refused",
                    "upstream " + instance.address() + " of pool " + pool.name() + " answered " + answer.status() + " to the WebSocket upgrade");
            return;
        }
        pool.finished(instance, latency, false);
        switchProtocols(exchange, answer);
        try {
            relay(exchange, exchange.client().switched(), upstream, settings);
        } finally {
            upstream.closeResource();
        }
    }

    /** The upstream's 101 goes to the client with its WebSocket headers (accept key, subprotocol, extensions). */
    private static void switchProtocols(Exchange exchange, UpstreamExchange answer) {
        var client = exchange.client();
        client.status(101);
        answer.relayHeaders(exchange);
        client.header("Upgrade", "websocket");
        client.header("Connection", "Upgrade");
        client.send(new byte[0]);
        exchange.ended(101, RequestOutcome.PROXIED);
    }

    /**
     * Upstream to client on a thread of its own, client to upstream on this one, until either side closes, breaks, or
     * both stay silent for the route's idle timeout. Closing one side wakes the read blocked on the other.
     */
    private void relay(Exchange exchange, ClientStream client, ClientConnection upstream, RouteSettings settings) {
        long idleNanos = settings.timeouts().idle().toNanos();
        AtomicLong lastActivity = new AtomicLong(System.nanoTime());
        ReentrantLock toClient = new ReentrantLock();
        AtomicBoolean clientClosing = new AtomicBoolean();
        AtomicLong bytesOut = new AtomicLong();
        upstream.readTimeout(settings.timeouts().idle());
        Thread fromUpstream = Thread.ofVirtual().name("ws-upstream-" + exchange.requestId()).start(() -> {
            DataReader reader = upstream.reader();
            try {
                while (true) {
                    try {
                        if (reader.available() == 0) {
                            reader.pullData();
                        }
                    } catch (UncheckedIOException e) {
                        if (timedOut(e) && System.nanoTime() - lastActivity.get() < idleNanos) {
                            continue; // the client side was busy: the session is not idle
                        }
                        return;
                    }
                    byte[] bytes = reader.readBytes(reader.available());
                    toClient.lock();
                    try {
                        if (clientClosing.get()) {
                            return; // the edge closed the session itself: nothing after its close frame
                        }
                        client.write(bytes, 0, bytes.length);
                    } finally {
                        toClient.unlock();
                    }
                    bytesOut.addAndGet(bytes.length);
                    lastActivity.set(System.nanoTime());
                }
            } catch (RuntimeException e) {
                // the upstream closed or broke (DataReader's end of stream included), or the client did
            } finally {
                client.close();
            }
        });

        RateLimitedMessages messages = RateLimitedMessages.of(settings.rateLimits().messages());
        ClientFrames frames = new ClientFrames(messages::admit);
        try {
            while (true) {
                byte[] chunk;
                try {
                    chunk = client.read();
                } catch (UncheckedIOException e) {
                    if (timedOut(e) && System.nanoTime() - lastActivity.get() < idleNanos) {
                        continue;
                    }
                    break;
                }
                if (chunk == null) {
                    break;
                }
                lastActivity.set(System.nanoTime());
                byte[] pass = frames.pass(chunk);
                if (pass.length > 0) {
                    upstream.writer().writeNow(BufferData.create(pass));
                    exchange.addBytesIn(pass.length);
                }
                if (frames.refused()) {
                    closeForMessageRate(exchange, client, upstream, settings, toClient, clientClosing, frames.messages());
                    break;
                }
            }
        } catch (RuntimeException e) {
            // either side broke while a chunk was on its way; the session ends like any other
        } finally {
            upstream.closeResource();
            try {
                fromUpstream.join();
            } catch (InterruptedException e) {
                // closing the client interrupts this thread; the upstream reader has ended all the same
            }
            Thread.interrupted();
            exchange.addBytesOut(bytesOut.get());
        }
    }

    /** The client hears 1008 first and nothing after it; then the upstream is told the same. */
    private void closeForMessageRate(Exchange exchange, ClientStream client, ClientConnection upstream, RouteSettings settings,
                                     ReentrantLock toClient, AtomicBoolean clientClosing, long messages) {
        RouteSettings.Rate limit = settings.rateLimits().messages();
        String reason = "message rate exceeded";
        exchange.decided(Decisions.of(exchange, nodeId, DecisionKind.THROTTLE, "route:" + exchange.route().id() + "/rate/messages",
                exchange.snapshot().version(), limit.ratePerSecond(), 0.0, null,
                "WebSocket session sent more than " + limit.ratePerSecond() + " messages/s (burst " + limit.burst() + ") after "
                        + messages + " messages; closed with " + POLICY_VIOLATION, false), true);
        LOG.fine(() -> "WebSocket " + exchange.requestId() + " on route " + exchange.route().id() + ": " + reason + ", closing with 1008");
        byte[] toClientFrame = ClientFrames.closeFrame(POLICY_VIOLATION, reason, false);
        toClient.lock();
        try {
            clientClosing.set(true);
            client.write(toClientFrame, 0, toClientFrame.length);
        } finally {
            toClient.unlock();
        }
        upstream.writer().writeNow(BufferData.create(ClientFrames.closeFrame(POLICY_VIOLATION, reason, true)));
    }

    private static boolean timedOut(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** The route's per-session message limit, as a token bucket; every message passes when the route sets none. */
    private record RateLimitedMessages(TokenBucket bucket) {
        static RateLimitedMessages of(RouteSettings.Rate rate) {
            return new RateLimitedMessages(rate == null ? null : new TokenBucket(rate.ratePerSecond(), rate.burst(), System.nanoTime()));
        }

        boolean admit() {
            return bucket == null || bucket.take(System.nanoTime()).allowed();
        }
    }
}
