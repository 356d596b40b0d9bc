package io.eventgate.kafka.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, broker and controller roles in one server) started inside
 * this JVM from Apache Kafka's own artifacts. The log directory is formatted once and reused, so a
 * restart finds its topics again; {@link #close()} shuts down cleanly so no log needs recovery.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final BrokerSettings settings;
    private final KafkaRaftServer server;
    private volatile boolean closed;

    private EmbeddedKafkaBroker(BrokerSettings settings, KafkaRaftServer server) {
        this.settings = settings;
        this.server = server;
    }

    /** Formats the data directory if needed, starts the server and waits until it serves metadata. */
    public static EmbeddedKafkaBroker start(BrokerSettings requested) {
        BrokerSettings settings = requested.withResolvedPorts();
        Path logDir = settings.dataDir().resolve("kraft-logs").toAbsolutePath();
        Properties props = serverProperties(settings, logDir);
        try {
            Files.createDirectories(logDir);
            format(settings, props, clusterId(settings.dataDir()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare Kafka data directory " + settings.dataDir(), e);
        }
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        server.startup();
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(settings, server);
        try {
            broker.awaitReady();
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        LOG.info("Kafka broker ready on {} (data in {})", broker.bootstrapServers(), settings.dataDir().toAbsolutePath());
        return broker;
    }

    public String bootstrapServers() {
        return settings.host() + ":" + settings.port();
    }

    public BrokerSettings settings() {
        return settings;
    }

    /** A new admin client of this broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.shutdown();
        server.awaitShutdown();
        LOG.info("Kafka broker on {} stopped", bootstrapServers());
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = admin()) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while waiting for the Kafka broker", e);
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Kafka broker on " + bootstrapServers() + " not ready after " + READY_TIMEOUT, e);
                    }
                }
            }
        }
    }

    private static Properties serverProperties(BrokerSettings s, Path logDir) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@" + s.host() + ":" + s.controllerPort());
        p.put("listeners", "PLAINTEXT://" + s.host() + ":" + s.port() + ",CONTROLLER://" + s.host() + ":" + s.controllerPort());
        p.put("advertised.listeners", "PLAINTEXT://" + s.host() + ":" + s.port());
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("num.partitions", Integer.toString(s.defaultPartitions()));
        p.put("auto.create.topics.enable", "false");
        // one node: every internal topic has a single replica
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // a small cleaner buffer: the default 128 MiB is sized for production brokers
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
        p.put("log.cleaner.backoff.ms", "1000");
        p.putAll(s.overrides());
        return p;
    }

    /** The cluster id is kept beside the logs, so a reused directory keeps its identity. */
    private static String clusterId(Path dataDir) throws IOException {
        Path file = dataDir.resolve("cluster.id");
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        }
        String id = Uuid.randomUuid().toString();
        Files.writeString(file, id, StandardCharsets.UTF_8);
        return id;
    }

    private static void format(BrokerSettings settings, Properties props, String clusterId) throws IOException {
        Path config = settings.dataDir().resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(config)) {
            props.store(out, "written by eventgate's embedded broker; regenerated at every start");
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int exit;
        try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            exit = StorageTool.execute(new String[] {"format", "-t", clusterId, "-c", config.toString(), "--ignore-formatted"}, print);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot format Kafka log directory " + settings.dataDir() + ": " + e.getMessage()
                    + " " + output.toString(StandardCharsets.UTF_8), e);
        }
        if (exit != 0) {
            throw new IllegalStateException("formatting Kafka log directory " + settings.dataDir() + " failed (" + exit + "): "
                    + output.toString(StandardCharsets.UTF_8));
        }
    }
}
