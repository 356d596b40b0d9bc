package io.eventgate.edge.proxy;

import io.helidon.common.buffers.BufferData;
import io.eventgate.edge.upstream.Instance;
import io.helidon.webclient.api.ClientConnection;
import io.helidon.webclient.api.ConnectionKey;
import io.helidon.webclient.api.DefaultDnsResolver;
import io.helidon.webclient.api.DnsAddressLookup;
import io.helidon.webclient.api.Proxy;
import io.helidon.webclient.api.TcpClientConnection;
import io.helidon.webclient.api.WebClient;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keep-alive connections to upstream instances (Helidon client connections), kept here rather than in Helidon's
 * connection cache. That cache starts a virtual thread for every connection it takes back, to notice an upstream
 * closing it while idle; on a proxy, where every request gives a connection back, that costs more than the call. Here
 * an idle connection is left alone: one idle for longer than {@link #CHECK_AFTER_IDLE} is checked for a close just
 * before its reuse, one idle past {@link #MAX_IDLE} is closed, and a request that finds its kept connection closed
 * anyway is sent again on a new one when it is idempotent ({@link ProxyStep}).
 */
public final class UpstreamClients implements AutoCloseable {
    /** Idle keep-alive connections kept per upstream address; fewer than the concurrency means reconnecting. */
    static final int CONNECTIONS_KEPT_PER_UPSTREAM = 512;
    /** Below this idle time the upstream is taken to have kept the connection open (keep-alive timeouts are seconds). */
    static final Duration CHECK_AFTER_IDLE = Duration.ofSeconds(1);
    /** Longer than this, the upstream has probably closed the connection, or will while it is in use. */
    static final Duration MAX_IDLE = Duration.ofSeconds(30);
    private static final List<String> HTTP1 = List.of("http/1.1");
    private static final Duration CLOSE_CHECK_READ = Duration.ofMillis(1);
    private static final long CHECK_AFTER_IDLE_NANOS = CHECK_AFTER_IDLE.toNanos();
    private static final long MAX_IDLE_NANOS = MAX_IDLE.toNanos();

    /** A client for each connect timeout (a client fixes it when built); only their socket options are used. */
    private final Map<Duration, WebClient> byConnectTimeout = new ConcurrentHashMap<>();
    private final Map<Instance.Endpoint, KeptConnections> byInstance = new ConcurrentHashMap<>();

    /** A kept connection to {@code instance} that looks open, or null; closing the response it serves gives it back. */
    public ClientConnection kept(Instance instance) {
        return keptFor(instance).take(System.nanoTime());
    }

    /** A new connection to {@code instance} (over TLS for an https:// one); closing the response it serves keeps it for reuse. */
    public ClientConnection open(Instance instance, Duration connectTimeout) {
        return keptFor(instance).open(client(connectTimeout));
    }

    private KeptConnections keptFor(Instance instance) {
        return byInstance.computeIfAbsent(instance.endpoint(), endpoint -> new KeptConnections(
                ConnectionKey.create(endpoint.uri().getScheme(), endpoint.uri().getHost(), endpoint.uri().getPort(), instance.tls(),
                        KEEP_NAME, DnsAddressLookup.defaultLookup(), Proxy.noProxy())));
    }

    /**
     * Resolves as Helidon does, but the address keeps the name the pool's URL gives it: TLS then checks the instance's
     * certificate against that name or IP address, where Helidon would look the address's name up in reverse
     * (127.0.0.1 becoming "localhost").
     */
    private static final io.helidon.webclient.spi.DnsResolver KEEP_NAME = new io.helidon.webclient.spi.DnsResolver() {
        private final io.helidon.webclient.spi.DnsResolver resolver = DefaultDnsResolver.create();

        @Override
        public java.net.InetAddress resolveAddress(String hostname, DnsAddressLookup lookup) {
            java.net.InetAddress resolved = resolver.resolveAddress(hostname, lookup);
            try {
                return java.net.InetAddress.getByAddress(hostname, resolved.getAddress());
            } catch (java.net.UnknownHostException e) {
                return resolved; // cannot happen: the address has a valid length
            }
        }
    };

    private WebClient client(Duration connectTimeout) {
        return byConnectTimeout.computeIfAbsent(connectTimeout, timeout -> WebClient.builder()
                .socketOptions(socket -> socket.connectTimeout(timeout).tcpNoDelay(true))
                .proxy(Proxy.noProxy())
                // no discovered client services (tracing, security): the edge traces upstream calls itself
                .servicesDiscoverServices(false)
                .build());
    }

    @Override
    public void close() {
        byInstance.values().forEach(KeptConnections::closeAll);
    }

    /** The idle connections to one upstream address, most recently used first so the busy ones stay warm. */
    private static final class KeptConnections {
        private record Idle(ClientConnection connection, long sinceNanos) {
        }

        private final ConnectionKey key;
        private final ConcurrentLinkedDeque<Idle> idle = new ConcurrentLinkedDeque<>();
        private final AtomicInteger count = new AtomicInteger();

        KeptConnections(ConnectionKey key) {
            this.key = key;
        }

        ClientConnection take(long now) {
            Idle next;
            while ((next = idle.pollFirst()) != null) {
                count.decrementAndGet();
                long idleNanos = now - next.sinceNanos();
                if (idleNanos > MAX_IDLE_NANOS || idleNanos > CHECK_AFTER_IDLE_NANOS && closedByPeer(next.connection())) {
                    next.connection().closeResource();
                    continue;
                }
                return next.connection();
            }
            return null;
        }

        ClientConnection open(WebClient web) {
            return TcpClientConnection.create(web, key, HTTP1, this::giveBack, connection -> { }).connect();
        }

        /** Called by the response's close when the connection may carry another request; false makes Helidon close it. */
        private boolean giveBack(ClientConnection connection) {
            long now = System.nanoTime();
            Idle oldest = idle.peekLast();
            if (oldest != null && now - oldest.sinceNanos() > MAX_IDLE_NANOS && idle.removeLastOccurrence(oldest)) {
                count.decrementAndGet();
                oldest.connection().closeResource();
            }
            if (count.incrementAndGet() > CONNECTIONS_KEPT_PER_UPSTREAM) {
                count.decrementAndGet();
                return false;
            }
            idle.offerFirst(new Idle(connection, now));
            return true;
        }

        /** A read that waits a millisecond: an end of stream (or bytes nobody asked for) means the connection is unusable. */
        private static boolean closedByPeer(ClientConnection connection) {
            try {
                connection.readTimeout(CLOSE_CHECK_READ);
                connection.helidonSocket().read(BufferData.create(1));
                return true;
            } catch (UncheckedIOException e) {
                if (e.getCause() instanceof SocketTimeoutException) {
                    connection.readTimeout(Duration.ZERO); // reads wait without a timer again: the watchdog bounds them
                    return false;
                }
                return true;
            } catch (RuntimeException e) {
                return true;
            }
        }

        void closeAll() {
            Idle next;
            while ((next = idle.pollFirst()) != null) {
                count.decrementAndGet();
                next.connection().closeResource();
            }
        }
    }
}
