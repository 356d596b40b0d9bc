package io.eventgate.bench;

import io.eventgate.schemas.Topics;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A long run at half of the measured capacity on the multi-process cluster of {@code bench/cluster.sh}, sampling every
 * 10 s, for each process: heap after the last collection (survivor and old generation used, from {@code jstat}),
 * threads and open file descriptors (from {@code /proc}); for each edge, the events waiting in its journal; for each
 * streams app, its consumer lag on {@code gateway.requests}. Prints each series' first and last value and its slope
 * per hour (least squares over the samples after the first five minutes): a leak shows as a slope that is not flat.
 *
 * <p>Usage: {@code SoakBench [minutes]} (default 30), from the repository root. Capacity is measured after a minute of
 * warm-up, as the closed-loop rate of the same clients over 30 s. It starts the cluster in a fresh
 * directory of its own and stops it at the end.
 */
public final class SoakBench {
    private static final String BOOTSTRAP = "127.0.0.1:19192,127.0.0.1:19292,127.0.0.1:19392";
    private static final List<String> EDGES = List.of("http://127.0.0.1:28080", "http://127.0.0.1:28082");
    private static final List<String> ADMINS = List.of("http://127.0.0.1:28180", "http://127.0.0.1:28182");
    private static final List<String> GROUPS = List.of("eventgate-policy-streams", "eventgate-analytics-streams", "eventgate-anomaly-detector");
    private static final Duration SAMPLE_EVERY = Duration.ofSeconds(10);
    private static final Duration SETTLING = Duration.ofMinutes(5);
    private static final int CLIENTS = 8;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Series name to samples {seconds since start, value}. */
    private final Map<String, List<double[]>> series = new LinkedHashMap<>();

    private SoakBench() {
    }

    public static void main(String[] args) throws Exception {
        int minutes = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        Path dir = Files.createTempDirectory("eventgate-soak");
        Map<String, String> env = Map.of("EVENTGATE_CLUSTER_DIR", dir.toString());
        ChaosBench.cluster(env, "up");
        SoakBench soak = new SoakBench();
        try {
            soak.rate(Double.POSITIVE_INFINITY, Duration.ofSeconds(60)); // warm-up: JIT compilers, the streams apps' first rebalances
            double capacity = soak.rate(Double.POSITIVE_INFINITY, Duration.ofSeconds(30)).perSecond();
            double target = capacity / 2;
            System.out.printf("capacity %.0f req/s over both edges (closed loop, %d clients); soaking at %.0f req/s for %d min%n", capacity, CLIENTS, target,
                    minutes);
            Run run = soak.rate(target, Duration.ofMinutes(minutes), dir);
            System.out.printf("%n%d requests at %.0f req/s, %d client errors%n%n", run.sent(), run.perSecond(), run.errors());
            soak.report();
        } finally {
            ChaosBench.cluster(env, "down");
        }
    }

    /** What a run of the load did: requests sent, those without a 2xx, the rate reached. */
    private record Run(long sent, long errors, double perSecond) {
    }

    private Run rate(double perSecond, Duration duration) throws InterruptedException {
        return rate(perSecond, duration, null);
    }

    /**
     * Runs a closed-loop load on both edges for {@code duration}, each client pacing itself to its part of
     * {@code perSecond}; with {@code clusterDir}, samples every part meanwhile.
     */
    private Run rate(double perSecond, Duration duration, Path clusterDir) throws InterruptedException {
        double perClient = Double.isInfinite(perSecond) ? 0 : perSecond / CLIENTS;
        long start = System.nanoTime();
        List<RequestLedger.Load> loads = new ArrayList<>();
        for (String edge : EDGES) {
            loads.add(new RequestLedger.Load("soak" + start + "-" + loads.size() + "-", CLIENTS / EDGES.size(), i -> edge + "/echo/" + i, null, perClient));
        }
        long end = start + duration.toNanos();
        try (Admin admin = clusterDir == null ? null : Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP))) {
            while (System.nanoTime() < end) {
                if (clusterDir != null) {
                    sample(clusterDir, admin, (System.nanoTime() - start) / 1e9);
                }
                Thread.sleep(Math.min(SAMPLE_EVERY.toMillis(), Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            }
        } finally {
            loads.forEach(RequestLedger.Load::close);
        }
        long sent = loads.stream().mapToLong(load -> load.attempts.get()).sum();
        long answered = loads.stream().mapToLong(load -> load.answered.size()).sum();
        return new Run(sent, sent - answered, sent / ((System.nanoTime() - start) / 1e9));
    }

    private void sample(Path clusterDir, Admin admin, double seconds) {
        try (var pids = Files.list(clusterDir.resolve("pids"))) {
            for (Path pidFile : pids.sorted().toList()) {
                String part = pidFile.getFileName().toString().replace(".pid", "");
                long pid = Long.parseLong(Files.readString(pidFile).trim());
                record(part + " heap after GC (MiB)", seconds, heapAfterGc(pid) / 1024);
                record(part + " threads", seconds, threads(pid));
                try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
                    record(part + " file descriptors", seconds, fds.count());
                }
            }
        } catch (IOException e) {
            System.err.println("sample at " + seconds + " s: " + e.getMessage());
        }
        for (int n = 0; n < ADMINS.size(); n++) {
            record("edge-" + (n + 1) + " journal backlog (events)", seconds, AdminMetrics.backlog(http, ADMINS.get(n)));
        }
        try {
            String topic = new Topics("gateway.").requests();
            var ends = admin.listOffsets(admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                    .collect(java.util.stream.Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()))).all().get();
            for (String group : GROUPS) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
                long lag = 0;
                for (var end : ends.entrySet()) {
                    OffsetAndMetadata at = committed.get(end.getKey());
                    lag += end.getValue().offset() - (at == null ? 0 : at.offset());
                }
                record(group + " lag (events)", seconds, lag);
            }
        } catch (Exception e) {
            System.err.println("lag at " + seconds + " s: " + e.getMessage());
        }
    }

    private void record(String name, double seconds, double value) {
        series.computeIfAbsent(name, n -> new ArrayList<>()).add(new double[] {seconds, value});
    }

    /** Survivor and old generation used after the last collection, in KiB: what a collection left alive. */
    private static double heapAfterGc(long pid) {
        try {
            Process jstat = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jstat").toString(), "-gc", Long.toString(pid))
                    .redirectErrorStream(true).start();
            List<String> lines = new String(jstat.getInputStream().readAllBytes()).lines().toList();
            jstat.waitFor();
            List<String> names = List.of(lines.get(0).trim().split("\\s+"));
            List<String> values = List.of(lines.get(1).trim().split("\\s+"));
            return Double.parseDouble(values.get(names.indexOf("S0U"))) + Double.parseDouble(values.get(names.indexOf("S1U")))
                    + Double.parseDouble(values.get(names.indexOf("OU")));
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }

    private static double threads(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(line -> line.startsWith("Threads:"))
                .mapToDouble(line -> Double.parseDouble(line.substring("Threads:".length()).trim())).findFirst().orElse(Double.NaN);
    }

    /** Each series: first and last value after settling, mean, and the least-squares slope per hour. */
    private void report() {
        System.out.println("| series | first | last | mean | slope per hour | slope per hour / mean |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        series.forEach((name, samples) -> {
            List<double[]> settled = samples.stream().filter(s -> s[0] >= SETTLING.toSeconds() && !Double.isNaN(s[1])).toList();
            if (settled.size() < 3) {
                return;
            }
            double n = settled.size();
            double meanX = settled.stream().mapToDouble(s -> s[0]).sum() / n;
            double meanY = settled.stream().mapToDouble(s -> s[1]).sum() / n;
            double covariance = settled.stream().mapToDouble(s -> (s[0] - meanX) * (s[1] - meanY)).sum();
            double variance = settled.stream().mapToDouble(s -> (s[0] - meanX) * (s[0] - meanX)).sum();
            double perHour = covariance / variance * 3600;
            System.out.printf("| %s | %.1f | %.1f | %.1f | %+.2f | %s |%n", name, settled.get(0)[1], settled.get(settled.size() - 1)[1], meanY, perHour,
                    meanY == 0 ? "-" : String.format("%+.1f %%", 100 * perHour / meanY));
        });
    }
}
