package io.eventgate.edge.proxy;

import io.eventgate.edge.upstream.LoadReport;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which headers cross the proxy. Hop-by-hop headers (RFC 9110 §7.6.1) and any header the Connection
 * header names are dropped in both directions; forwarding and identity headers are dropped from the
 * client's request and set anew by the gateway.
 */
public final class HeaderHygiene {
    static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade");
    static final Set<String> SET_BY_GATEWAY = Set.of("x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "forwarded",
            "x-request-id", "traceparent", "tracestate", "host", "content-length", "expect",
            "x-consumer-id", "x-consumer-plan", "x-consumer-groups");

    private HeaderHygiene() {
    }

    /** Lower-cased names listed in the Connection header values. */
    public static Set<String> namedByConnection(List<String> connectionValues) {
        if (connectionValues.isEmpty()) {
            return Set.of(); // the usual case: keep-alive is HTTP/1.1's default
        }
        if (connectionValues.size() == 1 && connectionValues.getFirst().indexOf(',') < 0) {
            String name = connectionValues.getFirst().trim().toLowerCase(Locale.ROOT); // "keep-alive" or "close", mostly
            return name.isEmpty() ? Set.of() : Set.of(name);
        }
        Set<String> names = new HashSet<>();
        for (String value : connectionValues) {
            for (String token : value.split(",")) {
                String name = token.trim().toLowerCase(Locale.ROOT);
                if (!name.isEmpty()) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    /** Whether a request header (lower-cased name) is copied to the upstream as it is. */
    public static boolean forwardRequestHeader(String lowerName, Set<String> namedByConnection) {
        return !HOP_BY_HOP.contains(lowerName) && !SET_BY_GATEWAY.contains(lowerName) && !namedByConnection.contains(lowerName);
    }

    /** Whether an upstream response header (lower-cased name) is copied to the client. */
    public static boolean forwardResponseHeader(String lowerName, Set<String> namedByConnection) {
        // an upstream's load report is for the gateway's balancer, not for clients
        return !HOP_BY_HOP.contains(lowerName) && !lowerName.equals("content-length") && !lowerName.equals(LoadReport.HEADER)
                && !namedByConnection.contains(lowerName);
    }

    /** The Forwarded (RFC 7239) element for this hop; IPv6 addresses are quoted and bracketed. */
    public static String forwardedElement(String clientAddress, String proto, String host) {
        String node = clientAddress.contains(":") ? "\"[" + clientAddress + "]\"" : clientAddress;
        StringBuilder element = new StringBuilder(32 + node.length() + (host == null ? 0 : host.length())).append("for=").append(node).append(";proto=").append(proto);
        if (host != null && !host.isEmpty()) {
            element.append(";host=\"").append(host.replace("\"", "")).append('"');
        }
        return element.toString();
    }
}
