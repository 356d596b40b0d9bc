package io.eventgate.edge.upstream;

import io.eventgate.policy.model.PoolSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * A pool of upstream instances: chooses one per attempt with its balancer among those that are healthy,
 * not ejected and whose breaker is not open, and learns from each call's outcome (latency, passive
 * outlier ejection).
 */
public final class UpstreamPool {
    private static final Logger LOG = Logger.getLogger(UpstreamPool.class.getName());

    private final String name;
    private final PoolSettings settings;
    private final List<Instance> instances;
    private final LoadBalancer balancer;
    private final LongSupplier clock;
    private final io.helidon.common.tls.Tls tls;
    /** The edge node's zone, or null. */
    private final String zone;
    /** Whether instances differ in priority or zone, so that a choice first picks a tier. */
    private final boolean tiered;

    public UpstreamPool(String name, PoolSettings settings, LongSupplier clock) {
        this(name, settings, null, clock);
    }

    /** A pool on an edge node in {@code zone} (null: none), which prefers instances of its zone within a priority. */
    public UpstreamPool(String name, PoolSettings settings, String zone, LongSupplier clock) {
        this.name = name;
        this.zone = zone;
        this.tiered = settings.instances().stream().anyMatch(i -> i.priority() != 0) || zone != null && settings.instances().stream()
                .anyMatch(i -> i.zone() != null);
        this.settings = settings;
        this.clock = clock;
        this.tls = UpstreamTls.of(name, settings);
        long now = clock.getAsLong();
        List<Instance> built = new ArrayList<>();
        for (PoolSettings.Instance instance : settings.instances()) {
            built.add(new Instance(name, instance, settings.slowStart(), settings.circuitBreaker(), tls, settings.tls(), now));
        }
        this.instances = List.copyOf(built);
        this.balancer = LoadBalancer.of(settings.balancer());
    }

    public UpstreamPool(String name, PoolSettings settings) {
        this(name, settings, System::nanoTime);
    }

    public String name() {
        return name;
    }

    /** TLS towards the instances (disabled for http:// pools). */
    public io.helidon.common.tls.Tls tls() {
        return tls;
    }

    public PoolSettings settings() {
        return settings;
    }

    public List<Instance> instances() {
        return instances;
    }

    /** An instance for the next attempt, avoiding {@code exclude} (the instance that just failed) when another exists. */
    public Optional<Instance> choose(Instance exclude) {
        return choose(exclude, null);
    }

    /** The same for a request whose hash key (the pool's {@code hashOn}) is {@code key}: what a consistent-hash pool balances on. */
    public Optional<Instance> choose(Instance exclude, String key) {
        long now = clock.getAsLong();
        List<Instance> candidates = new ArrayList<>(instances.size());
        for (Instance instance : instances) {
            if (instance.selectable(now) && instance != exclude) {
                candidates.add(instance);
            }
        }
        if (candidates.isEmpty() && exclude != null && exclude.selectable(now)) {
            candidates.add(exclude);
        }
        if (tiered && !candidates.isEmpty()) {
            candidates = tier(candidates);
        }
        return candidates.isEmpty() ? Optional.empty() : Optional.of(balancer.choose(candidates, now, key));
    }

    /**
     * The candidates of one priority, then of the node's zone when it has any there. A priority takes the traffic while
     * enough of it is up: its share is its healthy fraction times 1.4 (Envoy's over-provisioning factor), so it keeps
     * all of it down to 72 % healthy, and the rest spills to the next priority; shares are scaled up when no priority is
     * healthy enough to take what is left.
     */
    private List<Instance> tier(List<Instance> candidates) {
        java.util.TreeMap<Integer, int[]> levels = new java.util.TreeMap<>(); // priority -> {instances, selectable}
        for (Instance instance : instances) {
            levels.computeIfAbsent(instance.priority(), p -> new int[2])[0]++;
        }
        for (Instance candidate : candidates) {
            levels.get(candidate.priority())[1]++;
        }
        double[] shares = new double[levels.size()];
        int[] priorities = new int[levels.size()];
        double left = 1;
        int i = 0;
        for (Map.Entry<Integer, int[]> level : levels.entrySet()) {
            priorities[i] = level.getKey();
            shares[i] = Math.min(left, Math.min(1, 1.4 * level.getValue()[1] / level.getValue()[0]));
            left -= shares[i];
            i++;
        }
        double total = 1 - left;
        double draw = java.util.concurrent.ThreadLocalRandom.current().nextDouble() * total;
        int chosen = priorities[priorities.length - 1];
        for (int j = 0; j < shares.length; j++) {
            if (draw < shares[j]) {
                chosen = priorities[j];
                break;
            }
            draw -= shares[j];
        }
        int priority = chosen;
        List<Instance> tier = candidates.stream().filter(c -> c.priority() == priority).toList();
        if (tier.isEmpty()) {
            return candidates; // the draw fell on a priority with nothing selectable (rounding): any candidate will do
        }
        List<Instance> local = zone == null ? List.of() : tier.stream().filter(c -> zone.equals(c.zone())).toList();
        return local.isEmpty() ? tier : local;
    }

    /** Marks the start of a call on {@code instance}. */
    public void started(Instance instance) {
        instance.started();
    }

    /** Records a call's end: {@code failure} is a 5xx answer or a connect failure. */
    public void finished(Instance instance, long latencyNanos, boolean failure) {
        long now = clock.getAsLong();
        instance.finished(latencyNanos, now);
        if (!failure) {
            instance.succeeded();
            return;
        }
        PoolSettings.Outlier outlier = settings.outlier();
        if (outlier.consecutiveFailures() > 0 && instance.failed() >= outlier.consecutiveFailures()) {
            if (availableOtherThan(instance, now)) {
                instance.eject(now + outlier.ejectionTime().toNanos());
                LOG.warning(() -> "pool " + name + ": ejected " + instance.address() + " for " + outlier.ejectionTime()
                        + " after " + outlier.consecutiveFailures() + " consecutive failures");
            } else {
                LOG.warning(() -> "pool " + name + ": " + instance.address() + " keeps failing but is the last available instance; not ejected");
            }
        }
    }

    /** Applies an active health-check verdict. */
    public void healthChecked(Instance instance, boolean healthy) {
        if (instance.healthy() != healthy) {
            LOG.warning(() -> "pool " + name + ": " + instance.address() + " is now " + (healthy ? "healthy" : "unhealthy"));
        }
        instance.markHealthy(healthy, clock.getAsLong());
    }

    private boolean availableOtherThan(Instance instance, long now) {
        for (Instance other : instances) {
            if (other != instance && other.selectable(now)) {
                return true;
            }
        }
        return false;
    }
}
