package io.eventgate.edge.server;

import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Status;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Stops slow-loris clients: a request's headers must be complete within {@code timeout} of its request line,
 * or the connection is closed. The server's idle timeout cannot do this, since it resets with every byte a
 * trickling client sends. A connection's clock starts when the request line has been read (the HTTP/1
 * receive listener's prologue; Helidon 4.5 calls no listener for earlier bytes, so a client trickling the
 * request line itself is bounded only by the idle timeout per byte and the request-line limit), stops when
 * the headers are complete, and stays stopped while the response goes out; a sweeper closes connections past the
 * deadline, and forgets closed ones.
 */
final class HeadDeadline implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HeadDeadline.class.getName());
    /** The clock value of a connection whose head is complete: its request is in progress. */
    private static final long IN_REQUEST = Long.MAX_VALUE;

    private final long timeoutNanos;
    /** Each connection's clock, one per connection and set in place per request (nothing boxed or re-inserted). */
    private final Map<ConnectionContext, AtomicLong> heads = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("request-head-deadline").factory());

    HeadDeadline(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
        long every = Math.max(50, timeout.toMillis() / 4);
        sweeper.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
    }

    /** For the HTTP/1 receive listeners: request bytes and completed heads. */
    Http1ConnectionListener receiving() {
        return new Http1ConnectionListener() {
            @Override
            public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
                started(ctx);
            }

            @Override
            public void headers(ConnectionContext ctx, Headers headers) {
                stop(ctx);
            }
        };
    }

    /** For the HTTP/1 send listeners: a response status sent ends the request, and the next head may start. */
    Http1ConnectionListener sending() {
        return new Http1ConnectionListener() {
            @Override
            public void status(ConnectionContext ctx, Status status) {
                stop(ctx); // kept, not removed: the connection's next request sets it again (no map resize per request)
            }
        };
    }

    /** The first bytes of a request head are in: the clock starts, unless it runs already for this head. */
    void started(ConnectionContext ctx) {
        heads.computeIfAbsent(ctx, c -> new AtomicLong(IN_REQUEST)).compareAndSet(IN_REQUEST, System.nanoTime());
    }

    /** The head is complete: the clock stops until the next head starts. */
    void completed(ConnectionContext ctx) {
        stop(ctx);
    }

    private void stop(ConnectionContext ctx) {
        AtomicLong clock = heads.get(ctx);
        if (clock != null) {
            clock.set(IN_REQUEST);
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        heads.forEach((ctx, clock) -> {
            long started = clock.get();
            if (!ctx.serverSocket().isConnected()) {
                heads.remove(ctx);
            } else if (started != IN_REQUEST && now - started > timeoutNanos) {
                heads.remove(ctx);
                LOG.fine(() -> "closing " + ctx.remotePeer() + ": its request head took longer than " + timeoutNanos / 1_000_000 + " ms");
                ctx.serverSocket().close();
            }
        });
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
