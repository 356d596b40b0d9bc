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
 */
public record ServerSettings(String host, int port, int adminPort, int maxHeaderBytes, int maxUriBytes, long maxBodyBytes,
                             Duration idleTimeout, List<String> trustedProxies, boolean accessLog, TlsSettings tls, Duration headTimeout,
                             String adminHost, String adminTokenHash) {
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
    }

    public ServerSettings(String host, int port, int adminPort, int maxHeaderBytes, int maxUriBytes, long maxBodyBytes,
                          Duration idleTimeout, List<String> trustedProxies, boolean accessLog, TlsSettings tls, Duration headTimeout) {
        this(host, port, adminPort, maxHeaderBytes, maxUriBytes, maxBodyBytes, idleTimeout, trustedProxies, accessLog, tls, headTimeout, null, null);
    }

    /** The same listener with another admin token hash. */
    public ServerSettings withAdminTokenHash(String hash) {
        return new ServerSettings(host, port, adminPort, maxHeaderBytes, maxUriBytes, maxBodyBytes, idleTimeout, trustedProxies, accessLog, tls,
                headTimeout, adminHost, hash);
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
