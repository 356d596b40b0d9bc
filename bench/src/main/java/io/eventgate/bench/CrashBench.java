package io.eventgate.bench;

import io.eventgate.demo.DemoUpstream;
import io.eventgate.kafka.embedded.BrokerSettings;
import io.eventgate.kafka.embedded.EmbeddedKafkaBroker;
import io.eventgate.registry.EmbeddedSchemaRegistry;
import io.eventgate.schemas.Topics;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Faults under load with every part in a process of its own: Kafka and the schema registry in one, the edge in
 * another, the load and the upstream in this one. Each scenario sends requests with unique ids from many client
 * threads, kills processes with SIGKILL, restarts them, then compares the ids that got an answer with the ids on
 * {@code gateway.requests}: lost (answered, no event), copies (dropped by consumers by node and sequence), requests
 * marked EDGE_CRASHED.
 *
 * <p>Usage: {@code CrashBench [clients]} (default 32), from the repository root; {@code CrashBench kafka DIR PORT
 * CONTROLLER_PORT REGISTRY_PORT} is the Kafka process it starts.
 */
public final class CrashBench {
    private record Ports(int kafka, int controller, int registry, int edge, int admin) {
    }

    private record Row(String fault, long answered, long events, long ids, long lost, long copies, long crashed) {
    }

    private CrashBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("kafka")) {
            runKafka(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            return;
        }
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        List<Row> rows = new ArrayList<>();
        try (DemoUpstream upstream = DemoUpstream.start("127.0.0.1", 0)) {
            rows.add(new CrashBench.Scenario("SIGKILL of the Kafka process for 20 s, then restart", clients, upstream).run(s -> {
                s.kafka.destroyForcibly().waitFor();
                Thread.sleep(20_000);
                s.kafka = s.startKafka();
            }));
            rows.add(new CrashBench.Scenario("SIGKILL of the edge (Kafka up), restart after 2 s", clients, upstream).run(s -> {
                s.edge.destroyForcibly().waitFor();
                Thread.sleep(2_000);
                s.edge = s.startEdge();
            }));
            rows.add(new CrashBench.Scenario("Kafka killed, then the edge killed while Kafka is down, both restarted", clients, upstream).run(s -> {
                s.kafka.destroyForcibly().waitFor();
                Thread.sleep(5_000);
                s.edge.destroyForcibly().waitFor();
                Thread.sleep(2_000);
                s.kafka = s.startKafka();
                s.edge = s.startEdge();
            }));
        }
        System.out.println();
        System.out.println("| fault under load | 2xx answers | events on the topic | request ids | lost | copies (dropped by sequence) | EDGE_CRASHED |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (Row row : rows) {
            System.out.printf("| %s | %d | %d | %d | %d | %d | %d |%n", row.fault(), row.answered(), row.events(), row.ids(), row.lost(), row.copies(), row.crashed());
        }
    }

    /** The Kafka process: a broker and the schema registry (schemas kept in a file), until it is killed. */
    static void runKafka(Path dir, int port, int controllerPort, int registryPort) throws InterruptedException {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(new BrokerSettings("127.0.0.1", port, controllerPort, dir.resolve("kafka"), 3, Map.of()));
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start("127.0.0.1", registryPort, dir.resolve("schemas.journal"));
        System.out.println("kafka ready on " + broker.bootstrapServers() + ", registry on " + registry.url());
        new CountDownLatch(1).await();
    }

    interface Fault {
        void inject(Scenario scenario) throws Exception;
    }

    static final class Scenario {
        final String fault;
        final int clients;
        final Path dir;
        final Ports ports;
        final Path config;
        final Topics topics = new Topics("gateway.");
        Process kafka;
        Process edge;
        int starts;

        Scenario(String fault, int clients, DemoUpstream upstream) throws IOException {
            this.fault = fault;
            this.clients = clients;
            this.dir = Files.createTempDirectory("eventgate-crash-bench");
            this.ports = new Ports(freePort(), freePort(), freePort(), freePort(), freePort());
            this.config = dir.resolve("edge.yaml");
            Files.writeString(config, """
                    nodeId: edge-crash-bench
                    server: {host: 127.0.0.1, port: %d, adminPort: %d}
                    kafka: {bootstrapServers: "127.0.0.1:%d", schemaRegistryUrl: "http://127.0.0.1:%d", topicPrefix: "gateway."}
                    events: {journal: {dir: "%s"}}
                    policies: {follow: false}
                    pools:
                      demo: {instances: [{url: "%s"}]}
                    routes:
                      - {id: echo, match: {paths: ["/echo/**"]}, upstreams: [{pool: demo}]}
                    """.formatted(ports.edge(), ports.admin(), ports.kafka(), ports.registry(), dir.resolve("journal"), upstream.url()));
        }

        Row run(Fault fault) throws Exception {
            System.out.println("== " + this.fault);
            kafka = startKafka();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + ports.kafka()))) {
                admin.createTopics(topics.newTopics(3, (short) 1)).all().get();
            }
            edge = startEdge();
            RequestLedger.Load load;
            try (RequestLedger.Load running = new RequestLedger.Load("", clients, i -> "http://127.0.0.1:" + ports.edge() + "/echo/" + i)) {
                load = running;
                Thread.sleep(5_000);
                fault.inject(this);
                Thread.sleep(5_000);
            }
            edge.destroy(); // a graceful stop gives Kafka the last events
            edge.waitFor();
            edge = startEdge(); // and a start after it sends what the stop could not
            Thread.sleep(3_000);
            edge.destroy();
            edge.waitFor();
            RequestLedger.Count count = RequestLedger.count("127.0.0.1:" + ports.kafka(), "http://127.0.0.1:" + ports.registry(), topics.requests(), "",
                    load.answered, load.errors.get());
            kafka.destroyForcibly().waitFor();
            return new Row(this.fault, count.answered(), count.events(), count.ids(), count.lost(), count.copies(), count.crashed());
        }

        Process startKafka() throws Exception {
            Process process = java("kafka", List.of("io.eventgate.bench.CrashBench", "kafka", dir.toString(), String.valueOf(ports.kafka()),
                    String.valueOf(ports.controller()), String.valueOf(ports.registry())));
            await(process, "kafka", "http://127.0.0.1:" + ports.registry() + "/subjects");
            return process;
        }

        Process startEdge() throws Exception {
            Process process = java("edge", List.of("io.eventgate.edge.EdgeMain", config.toString()));
            await(process, "edge", "http://127.0.0.1:" + ports.edge() + "/echo/started");
            return process;
        }

        Process java(String name, List<String> main) throws IOException {
            List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-Xmx1g",
                    "-Djava.util.logging.config.file=config/logging.properties", "-cp", System.getProperty("java.class.path")));
            if (Runtime.version().feature() >= 24) {
                command.add(1, "--sun-misc-unsafe-memory-access=allow");
            }
            command.addAll(main);
            return new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + "-" + ++starts + ".log").toFile())).start();
        }

        static void await(Process process, String name, String url) throws Exception {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline && process.isAlive()) {
                try {
                    http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding());
                    return;
                } catch (IOException notYet) {
                    Thread.sleep(100);
                }
            }
            throw new IllegalStateException(name + " did not start");
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
