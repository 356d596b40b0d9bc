package io.eventgate.edge.upstream;

import io.eventgate.policy.model.PoolSettings;
import java.util.ArrayList;
import java.util.List;
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

    public UpstreamPool(String name, PoolSettings settings, LongSupplier clock) {
        this.name = name;
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
        return candidates.isEmpty() ? Optional.empty() : Optional.of(balancer.choose(candidates, now, key));
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
