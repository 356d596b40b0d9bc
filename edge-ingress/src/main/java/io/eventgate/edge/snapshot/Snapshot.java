package io.eventgate.edge.snapshot;

import io.eventgate.edge.auth.ApiKeys;
import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.edge.routing.RouteTable;
import io.eventgate.edge.upstream.UpstreamPool;
import io.eventgate.policy.model.AddressRanges;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

/**
 * The configuration the request path reads: resolved routes, live upstream pools, API keys, routes switched off by
 * an operator, the client addresses the global policy refuses, and the version and checksum reported by admin
 * and heartbeats. Immutable; a change builds
 * a new snapshot (reusing pools whose settings did not change, so their health and latency state carry over).
 */
public record Snapshot(long version, String checksum, EdgeSettings settings, RouteTable routes, Map<String, UpstreamPool> pools,
                       ApiKeys apiKeys, Set<String> disabledRoutes, AddressRanges deniedClients) {

    public static Snapshot build(EdgeSettings settings, long version, Snapshot previous) {
        Map<String, UpstreamPool> pools = new HashMap<>();
        settings.pools().forEach((name, poolSettings) -> {
            UpstreamPool existing = previous == null ? null : previous.pools().get(name);
            pools.put(name, existing != null && existing.settings().equals(poolSettings) ? existing
                    : new UpstreamPool(name, poolSettings, settings.zone(), System::nanoTime));
        });
        Set<String> disabled = previous == null ? Set.of() : previous.disabledRoutes();
        return new Snapshot(version, checksum(settings), settings, RouteTable.of(settings.routes()), Map.copyOf(pools),
                ApiKeys.of(settings.consumers()), disabled, settings.globalPolicy().deniedClients());
    }

    public UpstreamPool pool(String name) {
        return pools.get(name);
    }

    public boolean routeDisabled(String routeId) {
        return disabledRoutes.contains(routeId);
    }

    /** The same snapshot with the operator's switched-off routes carried over from an earlier one. */
    public Snapshot withDisabledRoutes(Set<String> routes) {
        return new Snapshot(version, checksum, settings, this.routes, pools, apiKeys, Set.copyOf(routes), deniedClients);
    }

    /** The same snapshot with one route switched off (503) or back on. */
    public Snapshot withRouteDisabled(String routeId, boolean disabled) {
        Set<String> next = new java.util.HashSet<>(disabledRoutes);
        if (disabled) {
            next.add(routeId);
        } else {
            next.remove(routeId);
        }
        return new Snapshot(version, checksum, settings, routes, pools, apiKeys, Set.copyOf(next), deniedClients);
    }

    static String checksum(EdgeSettings settings) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(settings.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

}
