package io.eventgate.testkit;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import io.eventgate.kafka.embedded.TopicCreation;
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

    /** Creates the topics and waits until every partition has a leader (see {@link TopicCreation}). */
    public void createTopics(Collection<NewTopic> topics) {
        try (Admin admin = admin()) {
            TopicCreation.createAndAwaitLeaders(admin, topics, java.time.Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create topics " + topics.stream().map(NewTopic::name).toList() + ": " + e.getCause(), e.getCause());
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
