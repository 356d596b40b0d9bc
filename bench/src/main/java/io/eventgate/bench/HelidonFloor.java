package io.eventgate.bench;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;

/**
 * The floor of Helidon's HTTP/1 server on this machine, for the proxy benchmark: the same server settings as the
 * edge's, one route that answers a fixed body itself, nothing else. What it spends per request (CPU, bytes
 * allocated) the edge spends before its own path starts; {@code GET /bench/allocated} gives the bytes this JVM has
 * allocated, counted as the edge counts its own.
 *
 * <p>Usage: {@code HelidonFloor PORT} (on 127.0.0.1).
 */
public final class HelidonFloor {
    private static final byte[] BODY = "{\"ok\":true,\"from\":\"helidon\"}".getBytes(StandardCharsets.US_ASCII);

    private HelidonFloor() {
    }

    public static void main(String[] args) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new JvmGcMetrics().bindTo(registry);
        Http1Config http1 = Http1Config.builder().validatePath(false).validateResponseHeaders(false).build();
        WebServer.builder()
                .host("127.0.0.1")
                .port(Integer.parseInt(args[0]))
                .protocolsDiscoverServices(false)
                .connectionOptions(socket -> socket.tcpNoDelay(true))
                .addProtocol(http1)
                .routing(routing -> routing
                        .get("/bench/allocated", (req, res) -> res.send(
                                String.format("%.0f", registry.get("jvm.gc.memory.allocated").counter().count())))
                        .any((req, res) -> res.header("Content-Type", "application/json").send(BODY)))
                .build()
                .start();
    }
}
