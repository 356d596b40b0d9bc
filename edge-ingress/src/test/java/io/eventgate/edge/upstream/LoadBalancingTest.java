package io.eventgate.edge.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.policy.model.PoolSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoadBalancingTest {
    final AtomicLong clock = new AtomicLong(1_000_000_000L);

    UpstreamPool pool(PoolSettings.Balancer balancer, Duration slowStart, PoolSettings.Outlier outlier, int... weights) {
        List<PoolSettings.Instance> instances = new java.util.ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            instances.add(new PoolSettings.Instance("http://10.0.0." + (i + 1) + ":80", weights[i]));
        }
        return new UpstreamPool("p", new PoolSettings(instances, balancer, slowStart, null, outlier, null), clock::get);
    }

    Map<String, Integer> pick(UpstreamPool pool, int n) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(pool.choose(null).orElseThrow().address(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void roundRobinHonoursWeightsExactly() {
        UpstreamPool pool = pool(PoolSettings.Balancer.ROUND_ROBIN, null, null, 3, 1);
        assertThat(pick(pool, 400)).containsEntry("10.0.0.1:80", 300).containsEntry("10.0.0.2:80", 100);
    }

    @Test
    void leastRequestAvoidsTheBusyInstance() {
        UpstreamPool pool = pool(PoolSettings.Balancer.LEAST_REQUEST, null, null, 1, 1);
        Instance busy = pool.instances().get(0);
        for (int i = 0; i < 10; i++) {
            pool.started(busy);
        }
        assertThat(pick(pool, 200)).containsOnlyKeys("10.0.0.2:80");
    }

    @Test
    void peakEwmaPrefersTheFasterInstance() {
        UpstreamPool pool = pool(PoolSettings.Balancer.PEAK_EWMA, null, null, 1, 1);
        Instance slow = pool.instances().get(0);
        Instance fast = pool.instances().get(1);
        for (int i = 0; i < 5; i++) {
            pool.started(slow);
            pool.finished(slow, Duration.ofMillis(200).toNanos(), false);
            pool.started(fast);
            pool.finished(fast, Duration.ofMillis(2).toNanos(), false);
        }
        assertThat(pick(pool, 200)).containsOnlyKeys("10.0.0.2:80");
    }

    @Test
    void slowStartRampsANewInstanceUp() {
        UpstreamPool pool = pool(PoolSettings.Balancer.ROUND_ROBIN, Duration.ofSeconds(10), null, 1, 1);
        Map<String, Integer> atStart = pick(pool, 1100);
        assertThat(atStart.get("10.0.0.1:80")).isBetween(450, 650); // both new: equal minimal shares
        pool.healthChecked(pool.instances().get(1), false);
        clock.addAndGet(Duration.ofSeconds(20).toNanos());
        pool.healthChecked(pool.instances().get(1), true); // recovered now: ramps from 10 %
        Map<String, Integer> afterRecovery = pick(pool, 1100);
        assertThat(afterRecovery.get("10.0.0.2:80")).isBetween(80, 120);
        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        assertThat(pick(pool, 1000).get("10.0.0.2:80")).isBetween(450, 550);
    }

    @Test
    void outlierEjectionNeverEmptiesThePool() {
        UpstreamPool pool = pool(PoolSettings.Balancer.ROUND_ROBIN, null, new PoolSettings.Outlier(2, Duration.ofSeconds(30)), 1, 1);
        Instance first = pool.instances().get(0);
        Instance second = pool.instances().get(1);
        pool.finished(first, 1, true);
        pool.finished(first, 1, true);
        assertThat(first.ejected(clock.get())).isTrue();
        pool.finished(second, 1, true);
        pool.finished(second, 1, true);
        assertThat(second.ejected(clock.get())).as("the last available instance stays").isFalse();
        clock.addAndGet(Duration.ofSeconds(31).toNanos());
        assertThat(first.ejected(clock.get())).as("ejection ends").isFalse();
    }

    @Test
    void afterAFailureAnotherInstanceIsPreferred() {
        UpstreamPool pool = pool(PoolSettings.Balancer.ROUND_ROBIN, null, null, 1, 1);
        Instance failed = pool.instances().get(0);
        for (int i = 0; i < 50; i++) {
            assertThat(pool.choose(failed).orElseThrow()).isNotSameAs(failed);
        }
    }

    /** Where each of {@code keys} goes among {@code instances}. */
    static Map<String, String> owners(List<String> instances, int keys) {
        Maglev maglev = new Maglev(instances, instances.stream().mapToInt(i -> 1).toArray());
        Map<String, String> owners = new HashMap<>();
        for (int k = 0; k < keys; k++) {
            owners.put("user-" + k, instances.get(maglev.lookup("user-" + k)));
        }
        return owners;
    }

    @Test
    void maglevSpreadsKeysEvenlyAndMovesAboutOneNthWhenAnInstanceGoesOrComes() {
        List<String> ten = java.util.stream.IntStream.rangeClosed(1, 10).mapToObj(i -> "10.0.0." + i + ":80").toList();
        Map<String, String> before = owners(ten, 20_000);
        Map<String, Long> load = before.values().stream().collect(java.util.stream.Collectors.groupingBy(o -> o, java.util.stream.Collectors.counting()));
        assertThat(load.values()).as("each of 10 holds about a tenth").allSatisfy(n -> assertThat(n).isBetween(1_700L, 2_300L));

        List<String> nine = ten.subList(0, 9);
        Map<String, String> after = owners(nine, 20_000);
        long moved = before.keySet().stream().filter(k -> !before.get(k).equals(after.get(k))).count();
        long orphaned = before.values().stream().filter(o -> o.equals(ten.get(9))).count();
        assertThat(moved).as("removing one of ten moves its keys and few others").isBetween(orphaned, orphaned + 20_000 / 50);
        assertThat(moved / 20_000.0).isBetween(0.08, 0.13);

        List<String> eleven = new java.util.ArrayList<>(ten);
        eleven.add("10.0.0.11:80");
        Map<String, String> grown = owners(eleven, 20_000);
        long movedOnAdd = before.keySet().stream().filter(k -> !before.get(k).equals(grown.get(k))).count();
        assertThat(movedOnAdd / 20_000.0).as("adding an eleventh takes about an eleventh").isBetween(0.07, 0.12);
        long toNew = before.keySet().stream().filter(k -> !before.get(k).equals(grown.get(k))).filter(k -> grown.get(k).equals("10.0.0.11:80")).count();
        assertThat((double) toNew / movedOnAdd).as("keys move to the new instance, nearly all of them (Maglev trades a little disruption for balance)")
                .isGreaterThan(0.9);
    }

    @Test
    void maglevWeightsGiveMoreKeys() {
        Maglev maglev = new Maglev(List.of("a", "b"), new int[] {3, 1});
        int a = 0;
        for (int k = 0; k < 20_000; k++) {
            a += maglev.lookup("k" + k) == 0 ? 1 : 0;
        }
        assertThat(a / 20_000.0).isBetween(0.70, 0.80);
    }

    @Test
    void aConsistentHashPoolSendsOneKeyToOneInstanceAndKeylessRequestsAnywhere() {
        UpstreamPool pool = new UpstreamPool("p", new PoolSettings(java.util.stream.IntStream.rangeClosed(1, 5)
                .mapToObj(i -> new PoolSettings.Instance("http://10.0.0." + i + ":80", 1)).toList(), PoolSettings.Balancer.MAGLEV, null, null, null, null,
                null, "header:X-User"), clock::get);
        for (String user : List.of("alice", "bob", "carol")) {
            String first = pool.choose(null, user).orElseThrow().address();
            for (int i = 0; i < 20; i++) {
                assertThat(pool.choose(null, user).orElseThrow().address()).isEqualTo(first);
            }
        }
        java.util.Set<String> keyless = new java.util.HashSet<>();
        for (int i = 0; i < 200; i++) {
            keyless.add(pool.choose(null, null).orElseThrow().address());
        }
        assertThat(keyless).hasSize(5);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PoolSettings(List.of(new PoolSettings.Instance("http://10.0.0.1:80", 1)),
                PoolSettings.Balancer.MAGLEV, null, null, null, null, null, "body")).hasMessageContaining("hashOn must be");
    }

    UpstreamPool tiered(String zone, Object[]... instances) {
        List<PoolSettings.Instance> settings = new java.util.ArrayList<>();
        for (int i = 0; i < instances.length; i++) {
            settings.add(new PoolSettings.Instance("http://10.0.0." + (i + 1) + ":80", 1, (Integer) instances[i][0], (String) instances[i][1]));
        }
        return new UpstreamPool("p", new PoolSettings(settings, PoolSettings.Balancer.ROUND_ROBIN, null, null, null, null), zone, clock::get);
    }

    @Test
    void trafficStaysOnTheBestPriorityWhileEnoughOfItIsUpAndSpillsAndFailsBackAsItGoesAndComes() {
        UpstreamPool pool = tiered(null, new Object[] {0, null}, new Object[] {0, null}, new Object[] {0, null}, new Object[] {0, null},
                new Object[] {1, null}, new Object[] {1, null});
        assertThat(pick(pool, 1000)).as("all up: priority 0 only").containsOnlyKeys("10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80", "10.0.0.4:80");
        pool.instances().get(0).markHealthy(false, clock.get());
        assertThat(pick(pool, 1000)).as("3 of 4 up: 1.4 x 75 % covers everything").doesNotContainKeys("10.0.0.5:80", "10.0.0.6:80");
        pool.instances().get(1).markHealthy(false, clock.get());
        Map<String, Integer> half = pick(pool, 10_000);
        int spilled = half.getOrDefault("10.0.0.5:80", 0) + half.getOrDefault("10.0.0.6:80", 0);
        assertThat(spilled / 10_000.0).as("2 of 4 up: priority 0 keeps 1.4 x 50 %, the rest spills").isBetween(0.27, 0.33);
        pool.instances().get(2).markHealthy(false, clock.get());
        pool.instances().get(3).markHealthy(false, clock.get());
        assertThat(pick(pool, 1000)).as("priority 0 down: all on priority 1").containsOnlyKeys("10.0.0.5:80", "10.0.0.6:80");
        for (int i = 0; i < 4; i++) {
            pool.instances().get(i).markHealthy(true, clock.get());
        }
        assertThat(pick(pool, 1000)).as("back up: failed back").doesNotContainKeys("10.0.0.5:80", "10.0.0.6:80");
    }

    @Test
    void aNodePrefersItsOwnZoneWithinAPriority() {
        UpstreamPool pool = tiered("eu-1", new Object[] {0, "eu-1"}, new Object[] {0, "eu-2"}, new Object[] {0, "eu-2"});
        assertThat(pick(pool, 500)).containsOnlyKeys("10.0.0.1:80");
        pool.instances().get(0).markHealthy(false, clock.get());
        assertThat(pick(pool, 500)).as("its zone down: the others").containsOnlyKeys("10.0.0.2:80", "10.0.0.3:80");
        UpstreamPool elsewhere = tiered(null, new Object[] {0, "eu-1"}, new Object[] {0, "eu-2"});
        assertThat(pick(elsewhere, 500)).as("a node without a zone uses every zone").containsOnlyKeys("10.0.0.1:80", "10.0.0.2:80");
    }
}
