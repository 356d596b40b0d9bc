package io.eventgate.edge.proxy;

import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientProtocolConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Helidon HTTP/1.1 clients (pooled keep-alive connections, no per-request protocol discovery) for upstream calls, one per connect
 * timeout, since the client fixes that timeout when it is built.
 */
public final class UpstreamClients {
    /** Idle keep-alive connections kept per upstream address; fewer than the concurrency means reconnecting. */
    static final int CONNECTIONS_KEPT_PER_UPSTREAM = 512;

    private final Map<Duration, Http1Client> byConnectTimeout = new ConcurrentHashMap<>();

    public Http1Client forConnectTimeout(Duration connectTimeout) {
        return byConnectTimeout.computeIfAbsent(connectTimeout, timeout -> Http1Client.builder()
                .socketOptions(socket -> socket.connectTimeout(timeout).tcpNoDelay(true))
                .connectionCacheSize(CONNECTIONS_KEPT_PER_UPSTREAM)
                .followRedirects(false)
                .keepAlive(true)
                .sendExpectContinue(false)
                // no discovered client services (tracing, security): the edge traces upstream calls itself
                .servicesDiscoverServices(false)
                // the headers sent are the client's, already validated by the server, and the edge's own
                .protocolConfig(Http1ClientProtocolConfig.builder().validateRequestHeaders(false).build())
                .build());
    }
}
