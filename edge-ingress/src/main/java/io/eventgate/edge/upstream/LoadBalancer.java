package io.eventgate.edge.upstream;

import io.eventgate.policy.model.PoolSettings;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Picks one of the selectable instances of a pool. */
public sealed interface LoadBalancer permits LoadBalancer.RoundRobin, LoadBalancer.LeastRequest, LoadBalancer.PeakEwma, LoadBalancer.ConsistentHash,
        LoadBalancer.LoadReports {

    /** Chooses among {@code candidates} (never empty). */
    Instance choose(List<Instance> candidates, long nowNanos);

    /** Chooses for a request whose hash key (the pool's {@code hashOn}) is {@code key}, null when it has none. */
    default Instance choose(List<Instance> candidates, long nowNanos, String key) {
        return choose(candidates, nowNanos);
    }

    static LoadBalancer of(PoolSettings.Balancer kind) {
        return switch (kind) {
            case ROUND_ROBIN -> new RoundRobin();
            case LEAST_REQUEST -> new LeastRequest();
            case PEAK_EWMA -> new PeakEwma();
            case MAGLEV -> new ConsistentHash();
            case LOAD_REPORT -> new LoadReports();
        };
    }

    /**
     * Weighs instances by the load they report themselves ({@code endpoint-load-metrics}): of two random instances, the one
     * with the lower utilization per unit of weight; an instance without a fresh report counts by its requests in flight
     * against the pool's busiest, so that reporting and silent instances can be compared at all.
     */
    final class LoadReports implements LoadBalancer {
        @Override
        public Instance choose(List<Instance> candidates, long nowNanos) {
            return cheaperOfTwo(candidates, instance -> load(instance, nowNanos));
        }

        private static double load(Instance instance, long nowNanos) {
            double reported = instance.reportedLoad(nowNanos);
            double load = reported >= 0 ? reported : Math.min(1.0, instance.inFlight() / 100.0);
            return (load + 0.01) / instance.effectiveWeight(nowNanos);
        }
    }

    /**
     * Maglev consistent hashing over the selectable instances: a key keeps its instance while that instance is up, and a
     * request without a key goes to a random one. The table is built again only when the set of instances changes.
     */
    final class ConsistentHash implements LoadBalancer {
        private record Table(List<Instance> instances, Maglev maglev) {
        }

        private volatile Table table = new Table(List.of(), null);

        @Override
        public Instance choose(List<Instance> candidates, long nowNanos) {
            return candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
        }

        @Override
        public Instance choose(List<Instance> candidates, long nowNanos, String key) {
            if (key == null || candidates.size() == 1) {
                return choose(candidates, nowNanos);
            }
            Table current = table;
            if (!current.instances().equals(candidates)) {
                int[] weights = candidates.stream().mapToInt(Instance::weight).toArray(); // configured weights: a ramp would move keys twice
                current = new Table(List.copyOf(candidates), new Maglev(candidates.stream().map(Instance::address).toList(), weights));
                table = current;
            }
            return current.instances().get(current.maglev().lookup(key));
        }
    }

    /** Smooth weighted round robin (as nginx does it): weights, slow-start ramps included, are honoured evenly. */
    final class RoundRobin implements LoadBalancer {
        private double[] current = new double[0];
        private List<Instance> last = List.of();

        @Override
        public synchronized Instance choose(List<Instance> candidates, long nowNanos) {
            if (candidates.size() == 1) {
                return candidates.get(0);
            }
            if (!candidates.equals(last)) {
                current = new double[candidates.size()];
                last = List.copyOf(candidates);
            }
            double total = 0;
            int best = 0;
            for (int i = 0; i < candidates.size(); i++) {
                double weight = candidates.get(i).effectiveWeight(nowNanos);
                current[i] += weight;
                total += weight;
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            return candidates.get(best);
        }
    }

    /** Least request with the power of two choices: of two random instances, the one with fewer requests per unit of weight. */
    final class LeastRequest implements LoadBalancer {
        @Override
        public Instance choose(List<Instance> candidates, long nowNanos) {
            return cheaperOfTwo(candidates, instance -> (instance.inFlight() + 1) / instance.effectiveWeight(nowNanos));
        }
    }

    /** Latency-aware: of two random instances, the one with the lower peak-EWMA cost (latency × queued requests). */
    final class PeakEwma implements LoadBalancer {
        @Override
        public Instance choose(List<Instance> candidates, long nowNanos) {
            return cheaperOfTwo(candidates, instance -> instance.cost(nowNanos));
        }
    }

    /** The power of two choices: of two distinct random candidates, the one that costs less (the first on a tie). */
    private static Instance cheaperOfTwo(List<Instance> candidates, java.util.function.ToDoubleFunction<Instance> cost) {
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        Instance[] two = twoRandom(candidates);
        return cost.applyAsDouble(two[0]) <= cost.applyAsDouble(two[1]) ? two[0] : two[1];
    }

    private static Instance[] twoRandom(List<Instance> candidates) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int first = random.nextInt(candidates.size());
        int second = random.nextInt(candidates.size() - 1);
        if (second >= first) {
            second++;
        }
        return new Instance[] {candidates.get(first), candidates.get(second)};
    }
}
