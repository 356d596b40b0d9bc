package io.eventgate.edge.admin;

import io.eventgate.policy.model.ConsumerSettings;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.logging.Logger;

/**
 * The bearer token that admin endpoints which change the node require. Only its SHA-256 is configured, like an API
 * key's, and a presented token is hashed and compared in constant time. Without a configured hash every such call is
 * refused: an admin port reached by mistake changes nothing.
 */
final class AdminToken {
    private static final Logger LOG = Logger.getLogger(AdminToken.class.getName());
    private final byte[] hash;

    AdminToken(String configuredHash) {
        this.hash = configuredHash == null ? null : configuredHash.getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code handler}, run only for a request with the admin token; others get 401. */
    Handler required(Handler handler) {
        return (req, res) -> {
            String authorization = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
            if (hash != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                byte[] presented = ConsumerSettings.hashKey(authorization.substring(7).trim()).getBytes(StandardCharsets.US_ASCII);
                if (MessageDigest.isEqual(presented, hash)) {
                    handler.handle(req, res);
                    return;
                }
            }
            LOG.warning("admin " + req.prologue().method().text() + " " + req.path().rawPath() + " from " + req.remotePeer().host()
                    + " refused: " + (hash == null ? "no admin token is configured (server.adminTokenHash)" : "missing or wrong admin token"));
            res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"eventgate-admin\"");
            AdminService.json(res, Status.UNAUTHORIZED_401, AdminService.JSON.createObjectNode()
                    .put("error", "unauthenticated")
                    .put("message", hash == null ? "admin changes are off: no admin token is configured (server.adminTokenHash)"
                            : "a valid admin bearer token is required"));
        };
    }
}
