package io.eventgate.edge.proxy;

import io.helidon.webclient.api.WebClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Helidon WebClients (HTTP/1.1, pooled keep-alive connections) for upstream calls, one per connect
 * timeout, since the client fixes that timeout when it is built.
 */
public final class UpstreamClients {
    private final Map<Duration, WebClient> byConnectTimeout = new ConcurrentHashMap<>();

    public WebClient forConnectTimeout(Duration connectTimeout) {
        return byConnectTimeout.computeIfAbsent(connectTimeout, timeout -> WebClient.builder()
                .connectTimeout(timeout)
                .followRedirects(false)
                .keepAlive(true)
                .sendExpectContinue(false)
                .addProtocolPreference("http/1.1")
                .build());
    }
}
