package io.eventgate.edge.proxy;

import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.policy.model.PoolSettings;

/**
 * What a request is hashed on, for a consistent-hash pool ({@code hashOn}) or a sticky split ({@code stickyOn}): its
 * client address, consumer, a header or a cookie.
 */
public final class HashKey {
    private HashKey() {
    }

    /** The request's key for {@code pool}, or null when the pool does not hash or the request has no such key. */
    public static String of(Exchange exchange, PoolSettings pool) {
        return pool.balancer() != PoolSettings.Balancer.MAGLEV ? null : of(exchange, pool.hashOn());
    }

    /** The request's value of {@code hashOn} (client, consumer, header:NAME, cookie:NAME), or null when it has none. */
    public static String of(Exchange exchange, String hashOn) {
        if (hashOn == null) {
            return null;
        }
        return switch (hashOn) {
            case "client" -> exchange.clientAddress();
            case "consumer" -> Exchange.ANONYMOUS.equals(exchange.consumerId()) ? exchange.clientAddress() : exchange.consumerId();
            default -> hashOn.startsWith("header:") ? exchange.header(hashOn.substring("header:".length()))
                    : cookie(exchange, hashOn.substring("cookie:".length()));
        };
    }

    private static String cookie(Exchange exchange, String name) {
        for (String header : exchange.headers().all("cookie")) {
            for (String pair : header.split(";")) {
                int equals = pair.indexOf('=');
                if (equals > 0 && pair.substring(0, equals).trim().equals(name)) {
                    return pair.substring(equals + 1).trim();
                }
            }
        }
        return null;
    }
}
