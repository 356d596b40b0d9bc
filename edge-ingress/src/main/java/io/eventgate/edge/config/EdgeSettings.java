package io.eventgate.edge.config;

import io.eventgate.policy.model.RouteSettings;
import io.eventgate.policy.model.PoolSettings;
import io.eventgate.policy.model.Check;
import io.eventgate.policy.model.ConsumerSettings;
import io.eventgate.policy.model.GlobalPolicy;
import io.eventgate.policy.model.PlanSettings;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Everything an edge node is configured with, validated as a whole: every route's pools exist, route ids are
 * unique, every consumer's plan exists. The global policy holds over all of it (see {@link GlobalPolicy}). {@code zone}
 * is where the node runs: within a pool's priority it prefers instances of the same zone.
 */
public record EdgeSettings(String nodeId, ServerSettings server, KafkaSettings kafka, EventSettings events,
                           Map<String, PoolSettings> pools, List<RouteSettings> routes, PolicySettings policies,
                           Map<String, ConsumerSettings> consumers, Map<String, PlanSettings> plans, AuthSettings auth,
                           TracingSettings tracing, GlobalPolicy globalPolicy, CacheSettings cache, String zone) {
    public EdgeSettings {
        Check.required(nodeId, "nodeId");
        Check.required(server, "server");
        Check.required(kafka, "kafka");
        Check.required(events, "events");
        policies = policies == null ? new PolicySettings(true, null) : policies;
        if (policies.cacheFile() == null) {
            policies = new PolicySettings(policies.follow(), events.journal().dir().toAbsolutePath().resolveSibling(nodeId + "-policies.json"),
                    policies.heartbeatInterval());
        }
        pools = Map.copyOf(new TreeMap<>(Check.orDefault(pools, Map.of())));
        routes = List.copyOf(Check.orDefault(routes, List.of()));
        consumers = Map.copyOf(new TreeMap<>(Check.orDefault(consumers, Map.of())));
        plans = Map.copyOf(new TreeMap<>(Check.orDefault(plans, Map.of())));
        auth = Check.orDefault(auth, new AuthSettings(null));
        tracing = Check.orDefault(tracing, new TracingSettings(null));
        globalPolicy = Check.orDefault(globalPolicy, GlobalPolicy.NONE);
        cache = Check.orDefault(cache, new CacheSettings(0));
        if (zone != null && !zone.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("zone '" + zone + "' must be 1-64 letters, digits, '.', '_' or '-'");
        }
        for (Map.Entry<String, ConsumerSettings> consumer : consumers.entrySet()) {
            if (!plans.containsKey(consumer.getValue().plan())) {
                throw new IllegalArgumentException("consumers." + consumer.getKey() + ".plan '" + consumer.getValue().plan()
                        + "' is not a configured plan " + plans.keySet());
            }
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < routes.size(); i++) {
            RouteSettings route = routes.get(i);
            if (!ids.add(route.id())) {
                throw new IllegalArgumentException("routes[" + i + "].id '" + route.id() + "' is used by an earlier route");
            }
            for (int j = 0; j < route.upstreams().size(); j++) {
                String pool = route.upstreams().get(j).pool();
                if (!pools.containsKey(pool)) {
                    throw new IllegalArgumentException("routes[" + i + "].upstreams[" + j + "].pool '" + pool + "' is not a configured pool " + pools.keySet());
                }
            }
            if (route.mirror() != null && !pools.containsKey(route.mirror().pool())) {
                throw new IllegalArgumentException("routes[" + i + "].mirror.pool '" + route.mirror().pool() + "' is not a configured pool " + pools.keySet());
            }
        }
    }

    public EdgeSettings(String nodeId, ServerSettings server, KafkaSettings kafka, EventSettings events,
                        Map<String, PoolSettings> pools, List<RouteSettings> routes) {
        this(nodeId, server, kafka, events, pools, routes, null, null, null, null, null, null, null, null);
    }

    public EdgeSettings(String nodeId, ServerSettings server, KafkaSettings kafka, EventSettings events, Map<String, PoolSettings> pools,
                        List<RouteSettings> routes, PolicySettings policies, Map<String, ConsumerSettings> consumers, Map<String, PlanSettings> plans,
                        AuthSettings auth, TracingSettings tracing, GlobalPolicy globalPolicy) {
        this(nodeId, server, kafka, events, pools, routes, policies, consumers, plans, auth, tracing, globalPolicy, null, null);
    }

    /** The same node with other routes and pools (static ones merged with those from gateway.policies). */
    public EdgeSettings withPolicies(Map<String, PoolSettings> pools, List<RouteSettings> routes) {
        return new EdgeSettings(nodeId, server, kafka, events, pools, routes, policies, consumers, plans, auth, tracing, globalPolicy, cache, zone);
    }

    /** The same node under another global policy. */
    public EdgeSettings withGlobalPolicy(GlobalPolicy globalPolicy) {
        return new EdgeSettings(nodeId, server, kafka, events, pools, routes, policies, consumers, plans, auth, tracing, globalPolicy, cache, zone);
    }

    /** The same node with other consumers and plans. */
    public EdgeSettings withConsumers(Map<String, ConsumerSettings> consumers, Map<String, PlanSettings> plans) {
        return new EdgeSettings(nodeId, server, kafka, events, pools, routes, policies, consumers, plans, auth, tracing, globalPolicy, cache, zone);
    }

    public EdgeSettings withAuth(AuthSettings auth) {
        return new EdgeSettings(nodeId, server, kafka, events, pools, routes, policies, consumers, plans, auth, tracing, globalPolicy, cache, zone);
    }

    public EdgeSettings withTracing(TracingSettings tracing) {
        return new EdgeSettings(nodeId, server, kafka, events, pools, routes, policies, consumers, plans, auth, tracing, globalPolicy, cache, zone);
    }

    public EdgeSettings withKafka(KafkaSettings kafka) {
        return new EdgeSettings(nodeId, server, kafka, events, pools, routes, policies, consumers, plans, auth, tracing, globalPolicy, cache, zone);
    }

    public EdgeSettings withServer(ServerSettings server) {
        return new EdgeSettings(nodeId, server, kafka, events, pools, routes, policies, consumers, plans, auth, tracing, globalPolicy, cache, zone);
    }

    public EdgeSettings withEvents(EventSettings events) {
        return new EdgeSettings(nodeId, server, kafka, events, pools, routes, policies, consumers, plans, auth, tracing, globalPolicy, cache, zone);
    }

    public EdgeSettings withPools(Map<String, PoolSettings> pools) {
        return new EdgeSettings(nodeId, server, kafka, events, pools, routes, policies, consumers, plans, auth, tracing, globalPolicy, cache, zone);
    }

    /** These settings for another node beside this one: its own id, free ports, and its own event journal and policy cache. */
    public EdgeSettings forAnotherNode(String otherNodeId) {
        ServerSettings freePorts = new ServerSettings(server.host(), 0, 0, server.maxHeaderBytes(), server.maxUriBytes(), server.maxBodyBytes(),
                server.idleTimeout(), server.trustedProxies(), server.accessLog(), server.tls(), server.headTimeout(), server.adminHost(), server.adminTokenHash(),
                server.http1());
        Path journalDir = events.journal().dir();
        EventSettings ownJournal = new EventSettings(events.enabled(), events.maxUnacknowledged(),
                events.journal().in(journalDir.resolveSibling(journalDir.getFileName() + "-" + otherNodeId)), events.compression());
        return new EdgeSettings(otherNodeId, freePorts, kafka, ownJournal, pools, routes,
                new PolicySettings(policies.follow(), null, policies.heartbeatInterval()), consumers, plans, auth, tracing, globalPolicy, cache, zone);
    }
}
