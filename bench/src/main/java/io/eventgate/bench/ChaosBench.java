package io.eventgate.bench;

import io.eventgate.schemas.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * Faults under load on the multi-process cluster of {@code bench/cluster.sh}: three brokers (replication 3,
 * min.insync.replicas 2), two edges, two instances of each streams app. Client threads send requests with unique ids
 * to both edges; a part is killed with SIGKILL and started again; then the ids that got a 2xx are set against the
 * RequestEvents on {@code gateway.requests}. Prints a table: each fault, client errors on each edge, answers, events,
 * lost, copies, requests marked EDGE_CRASHED.
 *
 * <p>Usage: {@code ChaosBench [clients]} (default 16), from the repository root. It starts the cluster in a fresh
 * directory of its own and stops it at the end.
 */
public final class ChaosBench {
    private static final String BOOTSTRAP = "127.0.0.1:19192,127.0.0.1:19292,127.0.0.1:19392";
    private static final String REGISTRY = "http://127.0.0.1:28081";
    private static final List<String> EDGES = List.of("http://127.0.0.1:28080", "http://127.0.0.1:28082");

    private record Row(String fault, long errorsFirst, long errorsSecond, RequestLedger.Count count) {
    }

    private ChaosBench() {
    }

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        Path dir = Files.createTempDirectory("eventgate-chaos");
        Map<String, String> env = Map.of("EVENTGATE_CLUSTER_DIR", dir.toString());
        cluster(env, "up");
        List<Row> rows = new ArrayList<>();
        try {
            rows.add(scenario("SIGKILL of the broker leading most gateway.requests partitions, restarted after 20 s", clients, () -> {
                String leader = "broker-" + leaderOfMostPartitions();
                cluster(env, "kill", leader);
                Thread.sleep(20_000);
                cluster(env, "start", leader);
            }));
            rows.add(scenario("SIGKILL of edge-1 under load, restarted after 5 s", clients, () -> {
                cluster(env, "kill", "edge-1");
                Thread.sleep(5_000);
                cluster(env, "start", "edge-1");
                awaitReady("http://127.0.0.1:28180/observe/ready"); // started: the journal it left is being sent
            }));
        } finally {
            cluster(env, "down");
        }
        System.out.println();
        System.out.println("| fault under load | client errors edge-1 | client errors edge-2 | 2xx answers | events on the topic | lost | copies (dropped by sequence) | EDGE_CRASHED |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (Row row : rows) {
            RequestLedger.Count c = row.count();
            System.out.printf("| %s | %d | %d | %d | %d | %d | %d | %d |%n", row.fault(), row.errorsFirst(), row.errorsSecond(), c.answered(), c.events(),
                    c.lost(), c.copies(), c.crashed());
        }
    }

    interface Fault {
        void inject() throws Exception;
    }

    /** 10 s of load on both edges, the fault, 10 s more; then what the topic holds for this scenario's answers. */
    static Row scenario(String name, int clients, Fault fault) throws Exception {
        System.out.println("== " + name);
        RequestLedger.Load first;
        RequestLedger.Load second;
        String tag = "chaos" + System.nanoTime() + "-";
        try (RequestLedger.Load a = new RequestLedger.Load(tag + "e1", clients / 2, i -> EDGES.get(0) + "/echo/" + i);
             RequestLedger.Load b = new RequestLedger.Load(tag + "e2", clients / 2, i -> EDGES.get(1) + "/echo/" + i)) {
            first = a;
            second = b;
            Thread.sleep(10_000);
            fault.inject();
            Thread.sleep(10_000);
        }
        Set<String> answered = new HashSet<>(first.answered);
        answered.addAll(second.answered);
        RequestLedger.Count count = RequestLedger.count(BOOTSTRAP, REGISTRY, new Topics("gateway.").requests(), tag, answered,
                first.errors.get() + second.errors.get());
        return new Row(name, first.errors.get(), second.errors.get(), count);
    }

    /** Waits (at most 3 min) until {@code url} answers 200. */
    static void awaitReady(String url) throws InterruptedException {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        long deadline = System.nanoTime() + java.time.Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(url + " not ready after 3 min");
    }

    /** The node id leading the most partitions of gateway.requests. */
    static int leaderOfMostPartitions() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP))) {
            String topic = new Topics("gateway.").requests();
            Map<Integer, Integer> led = new HashMap<>();
            for (TopicPartitionInfo partition : admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()) {
                led.merge(partition.leader().id(), 1, Integer::sum);
            }
            return led.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        }
    }

    /** Runs {@code bench/cluster.sh} with {@code args}, its output to this one's. */
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
