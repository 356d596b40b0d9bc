package io.eventgate.kafka.embedded;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates topics and waits until every partition has a leader the broker knows of. An idempotent producer
 * that writes to a partition still opening can have its first batch refused (not the leader) while the next
 * one is taken, and then retry the first against a sequence that moved on, for minutes.
 */
public final class TopicCreation {
    private TopicCreation() {
    }

    public static void createAndAwaitLeaders(Admin admin, Collection<NewTopic> topics, Duration timeout) throws InterruptedException, ExecutionException {
        List<String> names = topics.stream().map(NewTopic::name).toList();
        admin.createTopics(topics).all().get();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!allLed(admin, names)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topics " + names + " still have partitions without a leader after " + timeout);
            }
            Thread.sleep(20); // polling the broker's metadata for the condition
        }
    }

    private static boolean allLed(Admin admin, List<String> names) throws InterruptedException, ExecutionException {
        try {
            return admin.describeTopics(names).allTopicNames().get().values().stream()
                    .allMatch(topic -> topic.partitions().stream().allMatch(partition -> partition.leader() != null && !partition.leader().isEmpty()));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return false; // created, but the broker has not learnt of it yet
            }
            throw e;
        }
    }
}
