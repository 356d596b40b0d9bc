package io.eventgate.bench;

import io.eventgate.kafka.embedded.TopicCreation;
import io.eventgate.schemas.Topics;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Creates the contract's topics under a prefix of their own, so that an edge in a benchmark publishes to a broker whose
 * streams apps do not consume its events (on a two-core machine their work would be counted against the edge).
 * Usage: {@code BenchTopics BOOTSTRAP_SERVERS PREFIX PARTITIONS}.
 */
public final class BenchTopics {
    private BenchTopics() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: BenchTopics BOOTSTRAP_SERVERS PREFIX PARTITIONS");
            System.exit(2);
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]))) {
            TopicCreation.createAndAwaitLeaders(admin, new Topics(args[1]).newTopics(Integer.parseInt(args[2]), (short) 1), Duration.ofSeconds(30));
        }
        System.out.println("topics created under " + args[1]);
    }
}
