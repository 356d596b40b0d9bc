package io.eventgate.bench;

import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.testkit.FaultProxy;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * Faults under load on the multi-process cluster of {@code bench/cluster.sh}: three brokers (replication 3,
 * min.insync.replicas 2), two edges, two instances of each streams app. Client threads send requests with unique ids
 * to both edges, anonymous and as consumers of a global plan, a daily quota and a plan that fails closed (plans of the
 * edges' YAML, which policy-streams knows from {@code gateway.node-config}); a fault is
 * injected (SIGKILL, a network cut between edge-1 and every broker through {@link FaultProxy}, a full journal); then
 * every answered id is set against the RequestEvents on {@code gateway.requests}, and the quota consumer's answers
 * against its billing usage on {@code gateway.usage}. Prints a table: each fault, client errors on each edge, answers,
 * events, lost, copies, requests marked EDGE_CRASHED, billing difference, recovery.
 *
 * <p>Usage: {@code ChaosBench [clients [cutSeconds [perClient [scenarios]]]]} (default 8, 60 and 40 requests a second per client
 * thread), from the repository root. It starts the
 * cluster in a fresh directory of its own and stops it at the end.
 */
public final class ChaosBench {
    private static final String BOOTSTRAP = "127.0.0.1:19192,127.0.0.1:19292,127.0.0.1:19392";
    private static final String REGISTRY = "http://127.0.0.1:28081";
    private static final List<String> EDGES = List.of("http://127.0.0.1:28080", "http://127.0.0.1:28082");
    private static final List<String> ADMINS = List.of("http://127.0.0.1:28180", "http://127.0.0.1:28182");
    private static final String SURVIVING_QUERY_API = "http://127.0.0.1:28084";
    private static final int[] FAULT_LISTENERS = {19194, 19294, 19394};
    private static final int[] FAULT_ADVERTISED = {29194, 29294, 29394};
    /** The cluster's edge configuration (bench/cluster.sh): plan 'shared' is global at 200/s, plan 'trial' has a daily quota of 6,000. */
    private static final double GLOBAL_RATE = 200;
    private static final long TRIAL_QUOTA = 6_000;
    /** Each client thread's pace by default: steady load at hundreds of requests a second. */
    private static final double PER_CLIENT = 40;
    private static final Topics TOPICS = new Topics("gateway.");

    private record Row(String fault, long errorsFirst, long errorsSecond, RequestLedger.Count count, String billing, String recovery) {
    }

    private final Map<String, String> env;
    private final int clients;
    private final double perClient;
    private final List<FaultProxy> proxies = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ChaosBench(Map<String, String> env, int clients, double perClient) {
        this.env = env;
        this.clients = clients;
        this.perClient = perClient;
    }

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int cutSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        double perClient = args.length > 2 ? Double.parseDouble(args[2]) : PER_CLIENT;
        List<String> only = args.length > 3 ? List.of(args[3].split(",")) : List.of(); // e.g. edge,cut: only those scenarios
        Path dir = Files.createTempDirectory("eventgate-chaos");
        ChaosBench bench = new ChaosBench(Map.of("EVENTGATE_CLUSTER_DIR", dir.toString(), "EVENTGATE_CLUSTER_EDGE1_VIA", "proxy"), clients, perClient);
        for (int n = 0; n < 3; n++) {
            bench.proxies.add(FaultProxy.start("127.0.0.1", FAULT_ADVERTISED[n], "127.0.0.1", FAULT_LISTENERS[n]));
        }
        List<Row> rows = new ArrayList<>();
        try {
            bench.cluster("up");
            try (UsageLedger billing = new UsageLedger(BOOTSTRAP, REGISTRY, TOPICS.usage());
                 ShareWatch shares = new ShareWatch(BOOTSTRAP, REGISTRY, TOPICS.name(Topic.LIMITS))) {
                Map<String, Scenario> scenarios = new java.util.LinkedHashMap<>();
                scenarios.put("broker", bench::brokerKill);
                scenarios.put("edge", () -> bench.edgeKill(shares));
                scenarios.put("streams", () -> bench.streamsKill(billing));
                scenarios.put("cut", () -> bench.networkCut(cutSeconds));
                scenarios.put("journal", () -> bench.journalFull(dir));
                for (String name : only) {
                    if (!scenarios.containsKey(name)) {
                        throw new IllegalArgumentException("no scenario '" + name + "': " + scenarios.keySet());
                    }
                }
                for (Map.Entry<String, Scenario> scenario : scenarios.entrySet()) {
                    if (!only.isEmpty() && !only.contains(scenario.getKey())) {
                        continue;
                    }
                    Row row = scenario.getValue().run();
                    System.out.println("-> " + format(row));
                    rows.add(row);
                }
            }
        } finally {
            bench.cluster("down");
            for (FaultProxy proxy : bench.proxies) {
                proxy.close();
            }
        }
        System.out.println();
        System.out.println("| fault under load | client errors edge-1 | client errors edge-2 | answers | events on the topic | lost | copies (dropped by sequence) "
                + "| EDGE_CRASHED | billing difference | recovery |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---|---|");
        rows.forEach(row -> System.out.println(format(row)));
    }

    interface Scenario {
        Row run() throws Exception;
    }

    private static String format(Row row) {
        RequestLedger.Count c = row.count();
        return String.format("| %s | %d | %d | %d | %d | %d | %d | %d | %s | %s |", row.fault(), row.errorsFirst(), row.errorsSecond(), c.answered(), c.events(),
                c.lost(), c.copies(), c.crashed(), row.billing(), row.recovery());
    }

    /** 1. The broker leading most partitions of gateway.requests is killed and started again 20 s later. */
    private Row brokerKill() throws Exception {
        String fault = "SIGKILL of the broker leading most gateway.requests partitions, restarted after 20 s";
        try (Traffic traffic = new Traffic(fault)) {
            traffic.plain();
            Thread.sleep(10_000);
            String leader = "broker-" + leaderOfMostPartitions();
            cluster("kill", leader);
            Thread.sleep(20_000);
            cluster("start", leader);
            Thread.sleep(10_000);
            return traffic.row("-", "events readable " + traffic.delay());
        }
    }

    /** 2. edge-1 is killed while events wait in its journal and started again 5 s later; the global plan's shares follow. */
    private Row edgeKill(ShareWatch shares) throws Exception {
        String fault = "SIGKILL of edge-1, restarted after 5 s";
        try (Traffic traffic = new Traffic(fault)) {
            traffic.plain();
            traffic.on(0, "partner", 1, "/api/p", "partner-key");
            traffic.on(1, "partner", 1, "/api/p", "partner-key");
            Thread.sleep(10_000);
            double before = shares.share("consumer:partner@node:edge-2");
            long killed = System.nanoTime();
            cluster("kill", "edge-1");
            double toSurvivor = shares.secondsUntil("consumer:partner@node:edge-2", share -> share >= 0.9 * GLOBAL_RATE, killed, Duration.ofSeconds(30));
            sleepUntil(killed, Duration.ofSeconds(5));
            long started = System.nanoTime();
            cluster("start", "edge-1");
            awaitReady(ADMINS.get(0) + "/observe/ready");
            double ready = (System.nanoTime() - started) / 1e9;
            double back = shares.secondsUntil("consumer:partner@node:edge-1", share -> share >= 0.3 * GLOBAL_RATE, started, Duration.ofSeconds(60));
            Thread.sleep(10_000);
            return traffic.row("-", String.format("edge-2's share of the global plan %.0f/s -> %.0f/s in %.1f s after the kill; edge-1 ready %.1f s "
                    + "after its start, its share back %.1f s after its start", before, 0.9 * GLOBAL_RATE, toSurvivor, ready, back));
        }
    }

    /** 3. One instance of each streams app is killed with half the trial consumer's daily quota spent, started 20 s later. */
    private Row streamsKill(UsageLedger billing) throws Exception {
        String fault = "SIGKILL of policy-1, analytics-1 and anomaly-1 mid-quota, restarted after 20 s";
        try (Traffic traffic = new Traffic(fault)) {
            traffic.plain();
            RequestLedger.Load trialFirst = traffic.on(0, "trial", 2, "/api/t", "trial-key");
            RequestLedger.Load trialSecond = traffic.on(1, "trial", 2, "/api/t", "trial-key");
            LongSupplier admitted = () -> trialFirst.answered.size() + trialSecond.answered.size();
            awaitCondition(() -> admitted.getAsLong() >= TRIAL_QUOTA / 2, Duration.ofMinutes(3), "half the trial quota spent");
            long killed = System.nanoTime();
            for (String part : List.of("policy-1", "analytics-1", "anomaly-1")) {
                cluster("kill", part);
            }
            double queried = awaitOk(SURVIVING_QUERY_API + "/consumers/trial/usage?granularity=hour", killed);
            sleepUntil(killed, Duration.ofSeconds(20));
            for (String part : List.of("policy-1", "analytics-1", "anomaly-1")) {
                cluster("start", part);
            }
            awaitSteady(admitted, Duration.ofSeconds(5), Duration.ofMinutes(3)); // the quota ran out: nothing more is admitted
            Thread.sleep(5_000);
            traffic.close();
            long billable = admitted.getAsLong();
            long total = trialFirst.responded.size() + trialSecond.responded.size();
            eventually(() -> billing.hourly("trial")[0] == billable && billing.hourly("trial")[1] == total, Duration.ofMinutes(3));
            long[] billed = billing.hourly("trial");
            return traffic.row(String.format("%+d billable of %d served, %+d requests of %d", billed[0] - billable, billable, billed[1] - total, total),
                    String.format("analytics-2 answered trial's usage %.1f s after the kill; quota %d: %d admitted (%+d)", queried, TRIAL_QUOTA, billable,
                            billable - TRIAL_QUOTA));
        }
    }

    /** 4. edge-1 is cut off from every broker for {@code seconds}: its journal holds the events and drains after. */
    private Row networkCut(int seconds) throws Exception {
        String fault = "edge-1 cut off from every broker for " + seconds + " s";
        try (Traffic traffic = new Traffic(fault)) {
            traffic.plain();
            RequestLedger.Load strict = traffic.on(0, "strict", 1, "/api/s", "strict-key");
            RequestLedger.Load strictSecond = traffic.on(1, "strict", 1, "/api/s", "strict-key");
            RequestLedger.Load trial = traffic.on(0, "trial", 1, "/api/t", "trial-key"); // its quota ran out in the scenario before
            Thread.sleep(10_000);
            proxies.forEach(FaultProxy::cut);
            long cut = System.nanoTime();
            long peak = 0;
            while (System.nanoTime() - cut < Duration.ofSeconds(seconds).toNanos()) {
                peak = Math.max(peak, backlog(ADMINS.get(0)));
                Thread.sleep(1_000);
            }
            long strictRefused = strict.count(503);
            long trialAdmitted = trial.answered.size();
            proxies.forEach(FaultProxy::heal);
            long healed = System.nanoTime();
            awaitCondition(() -> backlog(ADMINS.get(0)) < 1_000, Duration.ofMinutes(3), "edge-1's journal drained");
            double drained = (System.nanoTime() - healed) / 1e9;
            Thread.sleep(10_000);
            traffic.exceptFromErrors(strict);
            return traffic.row("-", String.format("journal backlog peaked at %d events, drained %.1f s after the heal; events readable %s; "
                    + "fail-closed plan: %d refused with 503 on edge-1 during the cut, %d 5xx on edge-2; exhausted quota: %d admitted during the cut",
                    peak, drained, traffic.delay(), strictRefused, strictSecond.errors.get(), trialAdmitted));
        }
    }

    /** 5. edge-1 restarted with a 1 MiB journal budget, then cut off until the journal is full. */
    private Row journalFull(Path dir) throws Exception {
        String fault = "edge-1 cut off until its journal's 1 MiB budget is full";
        cluster("stop", "edge-1");
        Path config = dir.resolve("config/edge-1.yaml");
        Files.writeString(config, Files.readString(config).replace("/journal}}", "/journal-budget, segmentBytes: 262144, maxBytes: 1048576}}"));
        cluster("start", "edge-1");
        awaitReady(ADMINS.get(0) + "/observe/ready");
        try (Traffic traffic = new Traffic(fault)) {
            traffic.plain();
            Thread.sleep(5_000);
            proxies.forEach(FaultProxy::cut);
            long cut = System.nanoTime();
            awaitCondition(() -> AdminMetrics.sum(http, ADMINS.get(0), "edge_events_journal_full") == 1, Duration.ofMinutes(6), "edge-1's journal full");
            double full = (System.nanoTime() - cut) / 1e9;
            Thread.sleep(5_000);
            proxies.forEach(FaultProxy::heal);
            awaitCondition(() -> backlog(ADMINS.get(0)) < 1_000, Duration.ofMinutes(3), "edge-1's journal drained");
            Thread.sleep(5_000);
            long dropped = (long) AdminMetrics.sum(http, ADMINS.get(0), "edge_events_dropped_total");
            return traffic.row("-", String.format("full %.1f s into the cut; %d events dropped and counted (edge_events_dropped_total), "
                    + "the lost column must not exceed it", full, dropped));
        }
    }

    /**
     * The loads of one scenario, on both edges, each client thread at {@code perClient} requests a second, with request ids
     * under one tag, and how long their events take to be readable.
     */
    private final class Traffic implements AutoCloseable {
        private final String fault;
        private final String tag = "chaos" + System.nanoTime() + "-";
        private final List<List<RequestLedger.Load>> byEdge = List.of(new ArrayList<>(), new ArrayList<>());
        private final Set<RequestLedger.Load> notErrors = new HashSet<>();
        private final RequestLedger.EventDelay delay;

        Traffic(String fault) throws InterruptedException {
            this.fault = fault;
            System.out.println("== " + fault);
            this.delay = new RequestLedger.EventDelay(BOOTSTRAP, REGISTRY, TOPICS.requests(), tag);
        }

        /** Anonymous requests, {@code clients / 2} threads on each edge. */
        void plain() {
            on(0, "plain", clients / 2, "/echo/", null);
            on(1, "plain", clients / 2, "/echo/", null);
        }

        RequestLedger.Load on(int edge, String name, int threads, String path, String apiKey) {
            RequestLedger.Load load = new RequestLedger.Load(tag + name + "-e" + (edge + 1) + "-", threads, i -> EDGES.get(edge) + path + i, apiKey, perClient);
            byEdge.get(edge).add(load);
            return load;
        }

        /** {@code load}'s 5xx answers are refusals the configuration asks for, not client errors. */
        void exceptFromErrors(RequestLedger.Load load) {
            notErrors.add(load);
        }

        long errors(int edge) {
            return byEdge.get(edge).stream().filter(load -> !notErrors.contains(load)).mapToLong(load -> load.errors.get()).sum();
        }

        String delay() {
            long[] millis = delay.millis();
            return String.format("p50 %d ms, p99 %d ms, max %d ms after the request", millis[0], millis[1], millis[2]);
        }

        /** Stops the loads and counts their events on the topic. */
        Row row(String billing, String recovery) throws InterruptedException {
            close();
            Set<String> responded = new HashSet<>();
            byEdge.forEach(loads -> loads.forEach(load -> responded.addAll(load.responded)));
            RequestLedger.Count count = RequestLedger.count(BOOTSTRAP, REGISTRY, TOPICS.requests(), tag, responded, errors(0) + errors(1));
            return new Row(fault, errors(0), errors(1), count, billing, recovery);
        }

        @Override
        public void close() throws InterruptedException {
            byEdge.forEach(loads -> loads.forEach(RequestLedger.Load::close));
            delay.close();
        }
    }

    /** Events journaled and not yet acknowledged by Kafka, from an edge's metrics. */
    private long backlog(String admin) {
        return (long) AdminMetrics.backlog(http, admin);
    }

    /** Seconds from {@code sinceNanos} until {@code url} answers 200 (at most 3 min). */
    private double awaitOk(String url, long sinceNanos) throws InterruptedException {
        awaitReady(url);
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    /** Waits (at most 3 min) until {@code url} answers 200. */
    private void awaitReady(String url) throws InterruptedException {
        awaitCondition(() -> {
            try {
                return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200;
            } catch (IOException notYet) {
                return false;
            }
        }, Duration.ofMinutes(3), url + " answering 200");
    }

    interface Condition {
        boolean holds() throws InterruptedException;
    }

    private static void awaitCondition(Condition condition, Duration timeout, String what) throws InterruptedException {
        if (!eventually(condition, timeout)) {
            throw new IllegalStateException("not reached after " + timeout.toSeconds() + " s: " + what);
        }
    }

    /** Whether {@code condition} holds within {@code timeout}. */
    private static boolean eventually(Condition condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(200);
        }
        return true;
    }

    /** Waits until {@code value} has not changed for {@code quiet}. */
    private static void awaitSteady(LongSupplier value, Duration quiet, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = value.getAsLong();
        long since = System.nanoTime();
        while (System.nanoTime() - since < quiet.toNanos()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("still changing after " + timeout.toSeconds() + " s");
            }
            Thread.sleep(200);
            long now = value.getAsLong();
            if (now != last) {
                last = now;
                since = System.nanoTime();
            }
        }
    }

    private static void sleepUntil(long startNanos, Duration after) throws InterruptedException {
        long left = startNanos + after.toNanos() - System.nanoTime();
        if (left > 0) {
            Thread.sleep(Duration.ofNanos(left));
        }
    }

    /** The node id leading the most partitions of gateway.requests. */
    private static int leaderOfMostPartitions() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP))) {
            String topic = TOPICS.requests();
            Map<Integer, Integer> led = new HashMap<>();
            for (TopicPartitionInfo partition : admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()) {
                led.merge(partition.leader().id(), 1, Integer::sum);
            }
            return led.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        }
    }

    private void cluster(String... args) throws IOException, InterruptedException {
        cluster(env, args);
    }

    /** Runs {@code bench/cluster.sh} with {@code args} and {@code env}, its output to this one's. */
    static void cluster(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", "bench/cluster.sh"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().putAll(env);
        int exit = builder.start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException("bench/cluster.sh " + String.join(" ", args) + " exited with " + exit);
        }
    }
}
