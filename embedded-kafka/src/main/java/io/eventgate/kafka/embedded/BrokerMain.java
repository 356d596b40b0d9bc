package io.eventgate.kafka.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * One node of a KRaft cluster (broker and controller roles) in a process of its own, for the multi-process cluster
 * (`./gateway cluster`). Every node is given the same voters and cluster id; the replication follows the number of
 * voters: with three, every topic and every internal topic has three replicas, two of which must have a write before it
 * is acknowledged, and no out-of-sync replica may become leader.
 *
 * <p>Usage: {@code BrokerMain NODE_ID DATA_DIR HOST PORT CONTROLLER_PORT VOTERS CLUSTER_ID [PARTITIONS [FAULT_PORT:ADVERTISED]]},
 * VOTERS as {@code 1@127.0.0.1:19093,2@127.0.0.1:19193,...}. With {@code FAULT_PORT:ADVERTISED}, a second client listener
 * on FAULT_PORT advertises ADVERTISED: a client that bootstraps through it is told to reach every broker at its
 * ADVERTISED port, so a TCP proxy listening there stands between that client and the whole cluster (fault injection).
 */
public final class BrokerMain {
    private BrokerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 7) {
            System.err.println("usage: BrokerMain NODE_ID DATA_DIR HOST PORT CONTROLLER_PORT VOTERS CLUSTER_ID [PARTITIONS [FAULT_PORT:ADVERTISED]]");
            System.exit(2);
        }
        String nodeId = args[0];
        Path dataDir = Path.of(args[1]);
        String voters = args[5];
        int partitions = args.length > 7 ? Integer.parseInt(args[7]) : 3;
        keepClusterId(dataDir, args[6]);
        BrokerSettings settings = new BrokerSettings(args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]), dataDir, partitions,
                clusterOverrides(nodeId, voters));
        if (args.length > 8) {
            String[] ports = args[8].split(":");
            if (ports.length != 2) {
                throw new IllegalArgumentException("FAULT_PORT:ADVERTISED expected, was " + args[8]);
            }
            settings = settings.withFaultListener(Integer.parseInt(ports[0]), Integer.parseInt(ports[1]));
        }
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }));
        System.out.println("kafka node " + nodeId + " serving on " + broker.bootstrapServers() + " (voters " + voters + ")");
        stopped.await();
    }

    /** The properties that make a node one of {@code voters}, with replication as the voters' count allows. */
    static Map<String, String> clusterOverrides(String nodeId, String voters) {
        int nodes = voters.split(",").length;
        String replicas = Integer.toString(Math.min(3, nodes));
        String minInSync = Integer.toString(Math.max(1, Math.min(3, nodes) - 1));
        Map<String, String> overrides = new HashMap<>();
        overrides.put("node.id", nodeId);
        overrides.put("controller.quorum.voters", voters);
        overrides.put("default.replication.factor", replicas);
        overrides.put("min.insync.replicas", minInSync);
        overrides.put("unclean.leader.election.enable", "false");
        overrides.put("offsets.topic.replication.factor", replicas);
        overrides.put("transaction.state.log.replication.factor", replicas);
        overrides.put("transaction.state.log.min.isr", minInSync);
        overrides.put("share.coordinator.state.topic.replication.factor", replicas);
        overrides.put("share.coordinator.state.topic.min.isr", minInSync);
        return overrides;
    }

    /** Every node of a cluster is formatted with the same id; the broker reads it from its data directory. */
    private static void keepClusterId(Path dataDir, String clusterId) {
        try {
            Files.createDirectories(dataDir);
            Path file = dataDir.resolve("cluster.id");
            if (!Files.exists(file)) {
                Files.writeString(file, clusterId, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + dataDir, e);
        }
    }
}
