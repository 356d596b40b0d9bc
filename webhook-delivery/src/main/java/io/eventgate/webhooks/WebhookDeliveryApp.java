package io.eventgate.webhooks;

import io.eventgate.avro.PolicyEntity;
import io.eventgate.policy.model.WebhookSettings;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.follow.TopicFollower;
import io.eventgate.schemas.registry.SchemaRegistryClient;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.settings.SettingsLoader;
import io.helidon.webclient.api.WebClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Webhook delivery: one worker per subscription, from its own configuration and from the {@code webhook:ID} entities
 * that policy-streams validated onto the policies topic (a changed entity restarts its worker, a tombstone stops it).
 * Several instances share each subscription's partitions through its consumer group. Every attempt is published on
 * {@code gateway.webhook-deliveries}.
 */
public final class WebhookDeliveryApp implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WebhookDeliveryApp.class.getName());
    private static final String ENTITY_PREFIX = "webhook:";

    private final WebhookDeliverySettings settings;
    private final Secrets secrets;
    /**
     * Helidon's client, blocking on the delivering virtual threads: the JDK's HttpClient hands every request to its
     * selector thread and back, which cost a quarter of the process's CPU per delivery on loopback.
     */
    private final WebClient http = WebClient.builder().connectTimeout(Duration.ofSeconds(5)).servicesDiscoverServices(false).build();
    private final KafkaProducer<byte[], byte[]> deadLetters;
    private final SchemaRegistryClient registry;
    private final DeliveryCounts counts = new DeliveryCounts();
    private final KafkaProducer<String, io.eventgate.avro.WebhookDelivery> eventProducer;
    private final DeliveryEvents events;
    private final Map<String, SubscriptionWorker> workers = new ConcurrentHashMap<>();
    private final TopicFollower<PolicyEntity> entities;

    private WebhookDeliveryApp(WebhookDeliverySettings settings, Map<String, String> environment) {
        this.settings = settings;
        this.secrets = new Secrets(environment);
        createDeadLetterTopic();
        this.deadLetters = new KafkaProducer<>(Map.of("bootstrap.servers", settings.bootstrapServers(), "acks", "all", "enable.idempotence", true),
                new ByteArraySerializer(), new ByteArraySerializer());
        ContractSerdes serdes = ContractSerdes.of(settings.schemaRegistryUrl());
        this.registry = serdes.registry();
        this.eventProducer = new KafkaProducer<>(Map.of("bootstrap.servers", settings.bootstrapServers(), "linger.ms", 20),
                new org.apache.kafka.common.serialization.StringSerializer(),
                serdes.<io.eventgate.avro.WebhookDelivery>serde(Topic.WEBHOOK_DELIVERIES).serializer());
        this.events = new DeliveryEvents(eventProducer, new Topics(settings.topicPrefix()).name(Topic.WEBHOOK_DELIVERIES), counts);
        settings.webhooks().forEach(this::start);
        this.entities = settings.followPolicies()
                ? new TopicFollower<>(new Topics(settings.topicPrefix()).policies(), settings.bootstrapServers(), settings.applicationId(),
                        serdes.<PolicyEntity>serde(Topic.POLICIES).deserializer(), this::entity, () -> { }, () -> { })
                : null;
    }

    public static WebhookDeliveryApp start(WebhookDeliverySettings settings, Map<String, String> environment) {
        return new WebhookDeliveryApp(settings, environment);
    }

    public DeliveryCounts counts() {
        return counts;
    }

    /** The subscriptions being delivered now. */
    public java.util.Set<String> subscriptions() {
        return java.util.Set.copyOf(workers.keySet());
    }

    private void entity(String key, PolicyEntity entity) {
        if (key == null || !key.startsWith(ENTITY_PREFIX)) {
            return;
        }
        String id = key.substring(ENTITY_PREFIX.length());
        if (entity == null) {
            stop(id);
            LOG.info("webhook " + id + " deleted");
            return;
        }
        try {
            WebhookSettings subscription = SettingsLoader.bindJson(entity.getSpec(), key, WebhookSettings.class);
            SubscriptionWorker running = workers.get(id);
            if (running == null || !running.settings().equals(subscription)) {
                stop(id);
                start(id, subscription);
                LOG.info("webhook " + id + " version " + entity.getVersion() + ": " + subscription.topic() + " -> " + subscription.url());
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "webhook " + id + " version " + entity.getVersion() + " cannot be applied; keeping what runs", e);
        }
    }

    private void start(String id, WebhookSettings subscription) {
        byte[] secret = WebhookSignature.secretBytes(secrets.resolve(subscription.secretRef()));
        workers.put(id, new SubscriptionWorker(id, subscription, secret, settings, http, deadLetters, registry, events));
    }

    private void stop(String id) {
        SubscriptionWorker worker = workers.remove(id);
        if (worker != null) {
            worker.close();
        }
    }

    private void createDeadLetterTopic() {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", settings.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(settings.deadLetterTopic(), java.util.Optional.empty(), java.util.Optional.empty())))
                    .all().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create the dead-letter topic " + settings.deadLetterTopic(), e.getCause());
            }
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot create the dead-letter topic " + settings.deadLetterTopic(), e);
        }
    }

    @Override
    public void close() {
        if (entities != null) {
            entities.close();
        }
        workers.keySet().forEach(this::stop);
        deadLetters.close(Duration.ofSeconds(5));
        eventProducer.close(Duration.ofSeconds(5));
    }
}
