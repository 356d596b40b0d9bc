package io.eventgate.edge.server;

import io.helidon.common.concurrency.limits.Limit;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Method;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.spi.Http1Upgrader;
import io.helidon.webserver.spi.ServerConnection;
import java.time.Duration;
import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * Takes an HTTP/1.1 request that asks to become a WebSocket (RFC 6455 §4.2.1) off Helidon's HTTP path and hands it,
 * with its raw connection, to the edge's one entry: the request pipeline. Nothing here decides anything about the
 * request. A request that is not a well-formed WebSocket handshake is left to the server, which routes it as a plain
 * HTTP request (through the same pipeline; the proxy drops its Upgrade header).
 */
final class WebSocketUpgrade implements Http1Upgrader {
    /** Runs an upgrade request, with the connection that answers it, through the pipeline. */
    interface Entry extends BiConsumer<Upgrade, UpgradeConnection> {
    }

    /** The request that asked for the upgrade. */
    record Upgrade(HttpPrologue prologue, WritableHeaders<?> headers, ConnectionContext ctx) {
    }

    private final String protocol;
    private final Entry entry;

    /** {@code protocol} is the Upgrade header's value this instance is registered for (servers look it up as sent). */
    WebSocketUpgrade(String protocol, Entry entry) {
        this.protocol = protocol;
        this.entry = entry;
    }

    @Override
    public String supportedProtocol() {
        return protocol;
    }

    @Override
    public ServerConnection upgrade(ConnectionContext ctx, HttpPrologue prologue, WritableHeaders<?> headers) {
        boolean handshake = prologue.method().equals(Method.GET)
                && "1.1".equals(prologue.protocolVersion())
                && headers.contains(HeaderNames.create("Sec-WebSocket-Key"))
                && headers.first(HeaderNames.create("Sec-WebSocket-Version")).map(String::trim).orElse("").equals("13")
                && headers.all(HeaderNames.CONNECTION, java.util.List::of).stream()
                        .anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("upgrade"));
        if (!handshake) {
            return null;
        }
        Upgrade upgrade = new Upgrade(prologue, headers, ctx);
        return new ServerConnection() {
            private volatile UpgradeConnection connection;

            @Override
            public void handle(Limit limit) {
                connection = new UpgradeConnection(ctx);
                entry.accept(upgrade, connection);
                Thread.interrupted(); // a close that raced the end of the session must not outlive it
            }

            @Override
            public Duration idleTime() {
                UpgradeConnection current = connection;
                return current == null ? Duration.ZERO : Duration.ofNanos(current.idleNanos());
            }

            @Override
            public void close(boolean interrupt) {
                UpgradeConnection current = connection;
                if (current != null) {
                    current.close();
                }
            }
        };
    }
}
