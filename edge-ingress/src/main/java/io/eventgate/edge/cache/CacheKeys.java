package io.eventgate.edge.cache;

import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.policy.model.RoutePolicies;
import java.util.Locale;
import java.util.TreeMap;

/**
 * Cache keys: method, host and path, then the query (whole, or only the parameters the route names, in name order),
 * the request headers the route names, and the consumer when the answer is kept per consumer. The key starts with
 * {@code METHOD host/path}, so a purge by key prefix can name a path or a whole subtree.
 */
public final class CacheKeys {
    private CacheKeys() {
    }

    static String of(Exchange exchange, RoutePolicies.Cache policy, boolean perConsumer) {
        StringBuilder key = new StringBuilder(exchange.method()).append(' ')
                .append(exchange.host() == null ? "" : exchange.host().toLowerCase(Locale.ROOT)).append(exchange.path());
        String query = exchange.rawQuery();
        if (policy.keyQuery() == null) {
            if (query != null && !query.isEmpty()) {
                key.append('?').append(query);
            }
        } else {
            TreeMap<String, String> chosen = new TreeMap<>();
            for (String name : policy.keyQuery()) {
                String value = exchange.queryParameter(name);
                if (value != null) {
                    chosen.put(name, value);
                }
            }
            if (!chosen.isEmpty()) {
                key.append('?');
                chosen.forEach((name, value) -> key.append(name).append('=').append(value).append('&'));
            }
        }
        for (String header : policy.keyHeaders()) {
            String value = exchange.header(header.toLowerCase(Locale.ROOT));
            key.append('\u0000').append(header.toLowerCase(Locale.ROOT)).append('=').append(value == null ? "" : value);
        }
        if (perConsumer) {
            key.append("\u0000consumer=").append(exchange.consumerId());
        }
        return key.toString();
    }

    /** The key prefix a purge names for {@code method host path} (as {@code ctl cache purge --key} takes it). */
    public static String prefix(String method, String host, String path) {
        return method.toUpperCase(Locale.ROOT) + " " + host.toLowerCase(Locale.ROOT) + path;
    }
}
