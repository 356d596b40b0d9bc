package io.eventgate.edge.proxy;

import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.policy.model.PoolSettings;

/** What a consistent-hash pool balances a request on ({@code hashOn}): its client address, consumer, a header or a cookie. */
public final class HashKey {
    private HashKey() {
    }

    /** The request's key for {@code pool}, or null when the pool does not hash or the request has no such key. */
    public static String of(Exchange exchange, PoolSettings pool) {
        if (pool.balancer() != PoolSettings.Balancer.MAGLEV) {
            return null;
        }
        String hashOn = pool.hashOn();
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
