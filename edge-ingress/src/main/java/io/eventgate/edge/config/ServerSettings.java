package io.eventgate.edge.config;

import io.eventgate.policy.model.Check;

import java.time.Duration;
import java.util.List;

/**
 * The client-facing listener and the admin listener, with the request limits enforced before routing:
 * header block size (431), request-target length (414), body size (413), the idle timeout that closes silent
 * connections and the head timeout that closes clients trickling a request's line and headers (slow loris);
 * and TLS on the client port, with client certificates ({@code tls}, optional). The admin listener binds
 * {@code adminHost} (loopback unless set), and its mutating endpoints take a bearer token whose SHA-256 is
 * {@code adminTokenHash}, in the stored form of API keys ({@code sha256:<hex>}; none configured: they always answer 401).
 * {@code http1} chooses what serves HTTP/1.x on the client port: {@code edge}, the edge's own connection (the default),
 * or {@code helidon}, Helidon's; both run every request through the same pipeline.
 */
public record ServerSettings(String host, int port, int adminPort, int maxHeaderBytes, int maxUriBytes, long maxBodyBytes,
                             Duration idleTimeout, List<String> trustedProxies, boolean accessLog, TlsSettings tls, Duration headTimeout,
                             String adminHost, String adminTokenHash, String http1) {
    /** The servers of HTTP/1.x on the client port. */
    public static final java.util.Set<String> HTTP1_SERVERS = java.util.Set.of("edge", "helidon");

    private static final java.util.regex.Pattern SHA256_HEX = java.util.regex.Pattern.compile("sha256:[0-9a-f]{64}");

    public ServerSettings {
        host = Check.orDefault(host, "127.0.0.1");
        adminHost = Check.orDefault(adminHost, "127.0.0.1");
        adminTokenHash = adminTokenHash == null || adminTokenHash.isBlank() ? null : adminTokenHash;
        if (adminTokenHash != null && !SHA256_HEX.matcher(adminTokenHash).matches()) {
            throw new IllegalArgumentException("adminTokenHash must be 'sha256:' and the SHA-256 of the admin token in 64 lower-case hex"
                    + " digits, the stored form of an API key (printf %s \"$TOKEN\" | sha256sum), never the token itself");
        }
        Check.range(port, 0, 65535, "port");
        Check.range(adminPort, 0, 65535, "adminPort");
        if (port != 0 && port == adminPort) {
            throw new IllegalArgumentException("adminPort must differ from port: admin endpoints never share the client port");
        }
        maxHeaderBytes = maxHeaderBytes == 0 ? 16 * 1024 : Check.range(maxHeaderBytes, 1024, 1024 * 1024, "maxHeaderBytes");
        maxUriBytes = maxUriBytes == 0 ? 8 * 1024 : Check.range(maxUriBytes, 256, 1024 * 1024, "maxUriBytes");
        maxBodyBytes = maxBodyBytes == 0 ? 10L * 1024 * 1024 : Check.range(maxBodyBytes, 1, Long.MAX_VALUE, "maxBodyBytes");
        idleTimeout = Check.positive(Check.orDefault(idleTimeout, Duration.ofSeconds(60)), "idleTimeout");
        headTimeout = Check.positive(Check.orDefault(headTimeout, Duration.ofSeconds(10)), "headTimeout");
        trustedProxies = List.copyOf(Check.orDefault(trustedProxies, List.of()));
        http1 = Check.orDefault(http1, "edge").toLowerCase(java.util.Locale.ROOT);
        if (!HTTP1_SERVERS.contains(http1)) {
            throw new IllegalArgumentException("http1 must be one of " + new java.util.TreeSet<>(HTTP1_SERVERS) + ", not '" + http1 + "'");
        }
    }

    public ServerSettings(String host, int port, int adminPort, int maxHeaderBytes, int maxUriBytes, long maxBodyBytes,
                          Duration idleTimeout, List<String> trustedProxies, boolean accessLog, TlsSettings tls, Duration headTimeout,
                          String adminHost, String adminTokenHash) {
        this(host, port, adminPort, maxHeaderBytes, maxUriBytes, maxBodyBytes, idleTimeout, trustedProxies, accessLog, tls, headTimeout,
                adminHost, adminTokenHash, null);
    }

    public ServerSettings(String host, int port, int adminPort, int maxHeaderBytes, int maxUriBytes, long maxBodyBytes,
                          Duration idleTimeout, List<String> trustedProxies, boolean accessLog, TlsSettings tls, Duration headTimeout) {
        this(host, port, adminPort, maxHeaderBytes, maxUriBytes, maxBodyBytes, idleTimeout, trustedProxies, accessLog, tls, headTimeout, null, null, null);
    }

    /** The same listener with HTTP/1.x served by {@code server} ({@link #HTTP1_SERVERS}). */
    public ServerSettings withHttp1(String server) {
        return new ServerSettings(host, port, adminPort, maxHeaderBytes, maxUriBytes, maxBodyBytes, idleTimeout, trustedProxies, accessLog, tls,
                headTimeout, adminHost, adminTokenHash, server);
    }

    /** The same listener with another admin token hash. */
    public ServerSettings withAdminTokenHash(String hash) {
        return new ServerSettings(host, port, adminPort, maxHeaderBytes, maxUriBytes, maxBodyBytes, idleTimeout, trustedProxies, accessLog, tls,
                headTimeout, adminHost, hash, http1);
    }

    public ServerSettings(String host, int port, int adminPort, int maxHeaderBytes, int maxUriBytes, long maxBodyBytes,
                          Duration idleTimeout, List<String> trustedProxies, boolean accessLog, TlsSettings tls) {
        this(host, port, adminPort, maxHeaderBytes, maxUriBytes, maxBodyBytes, idleTimeout, trustedProxies, accessLog, tls, null);
    }

    public ServerSettings(String host, int port, int adminPort, int maxHeaderBytes, int maxUriBytes, long maxBodyBytes,
                          Duration idleTimeout, List<String> trustedProxies, boolean accessLog) {
        this(host, port, adminPort, maxHeaderBytes, maxUriBytes, maxBodyBytes, idleTimeout, trustedProxies, accessLog, null);
    }
}
