package io.eventgate.testkit;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * What one test sees of the shared cluster: its addresses, and a topic prefix no other test uses,
 * so tests never read each other's records.
 */
public final class TestKafka {
    private final SharedCluster cluster;
    private final String topicPrefix;

    TestKafka(SharedCluster cluster, String topicPrefix) {
        this.cluster = cluster;
        this.topicPrefix = topicPrefix;
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    public String registryUrl() {
        return cluster.registryUrl();
    }

    /** A prefix unique to this test, ending in a dot (e.g. {@code t7-roundTrip.}). */
    public String topicPrefix() {
        return topicPrefix;
    }

    /** A new admin client; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    /**
     * Creates the topics and waits until every partition has a leader: a producer that writes to a partition
     * still settling its leadership can see its first batches' sequence numbers refused and retry for minutes.
     */
    public void createTopics(Collection<NewTopic> topics) {
        List<String> names = topics.stream().map(NewTopic::name).toList();
        try (Admin admin = admin()) {
            admin.createTopics(topics).all().get();
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
            while (!allLed(admin, names)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topics " + names + " have partitions without a leader after 30 s");
                }
                Thread.sleep(20); // polling the broker's metadata for the condition
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create topics " + topics.stream().map(NewTopic::name).toList() + ": " + e.getCause(), e.getCause());
        }
    }

    private static boolean allLed(Admin admin, List<String> names) throws InterruptedException, ExecutionException {
        try {
            return admin.describeTopics(names).allTopicNames().get().values().stream()
                    .allMatch(topic -> topic.partitions().stream().allMatch(partition -> partition.leader() != null && !partition.leader().isEmpty()));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                return false; // created, but the broker has not learnt of it yet
            }
            throw e;
        }
    }

    /** Creates one topic named {@code topicPrefix() + suffix} and returns its name. */
    public String createTopic(String suffix, int partitions, Map<String, String> configs) {
        String name = topicPrefix + suffix;
        createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)));
        return name;
    }

    /** Producer settings for this cluster and registry, plus the given ones. */
    public Map<String, Object> producerConfig(Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put("schema.registry.url", registryUrl());
        config.putAll(extra);
        return config;
    }

    /** Consumer settings reading from the earliest offset in a group of this test's own. */
    public Map<String, Object> consumerConfig(String group, Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put("schema.registry.url", registryUrl());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, topicPrefix + group);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.putAll(extra);
        return config;
    }
}
