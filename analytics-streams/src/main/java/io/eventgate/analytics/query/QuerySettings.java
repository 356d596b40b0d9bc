package io.eventgate.analytics.query;

/**
 * Where the query API and dashboard listen ({@code port} 0 picks a free one) and the host other instances
 * use to reach this one when they forward a query for a key it owns.
 */
public record QuerySettings(Integer port, String bindAddress, String advertisedHost) {
    public QuerySettings {
        port = port == null ? 8082 : port;
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 to 65535, found " + port);
        }
        bindAddress = bindAddress == null || bindAddress.isBlank() ? "0.0.0.0" : bindAddress;
        advertisedHost = advertisedHost == null || advertisedHost.isBlank() ? "127.0.0.1" : advertisedHost;
    }
}
