package io.eventgate.webhooks;

import io.eventgate.avro.DeliveryOutcome;
import io.eventgate.avro.WebhookDelivery;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What happened to each delivery attempt: counted here, and published as a WebhookDelivery on
 * {@code gateway.webhook-deliveries} (keyed by subscription), which analytics counts per subscription and hour. An event
 * that cannot be published is logged; it never holds up deliveries.
 */
final class DeliveryEvents {
    private static final Logger LOG = Logger.getLogger(DeliveryEvents.class.getName());

    private final KafkaProducer<String, WebhookDelivery> producer;
    private final String topic;
    private final DeliveryCounts counts;

    DeliveryEvents(KafkaProducer<String, WebhookDelivery> producer, String topic, DeliveryCounts counts) {
        this.producer = producer;
        this.topic = topic;
        this.counts = counts;
    }

    /** One attempt's result. */
    record Attempt(int status, String error, long latencyMicros) {
        boolean delivered() {
            return error == null;
        }
    }

    void attempted(String subscription, String messageId, ConsumerRecord<String, byte[]> record, int attempt, Attempt result, DeliveryOutcome outcome) {
        switch (outcome) {
            case DELIVERED -> counts.delivered(subscription, attempt);
            case DEAD_LETTERED -> {
                counts.failedAttempt(subscription);
                counts.deadLettered(subscription);
            }
            default -> counts.failedAttempt(subscription);
        }
        WebhookDelivery event = WebhookDelivery.newBuilder().setSubscription(subscription).setMessageId(messageId).setTopic(record.topic())
                .setPartition(record.partition()).setOffset(record.offset()).setAttempt(attempt).setOutcome(outcome).setStatus(result.status())
                .setLatencyMicros(result.latencyMicros()).setError(result.error()).setTimestamp(Instant.now()).build();
        producer.send(new ProducerRecord<>(topic, subscription, event), (metadata, error) -> {
            if (error != null) {
                LOG.log(Level.WARNING, "cannot publish the delivery event of " + messageId + " to " + topic, error);
            }
        });
    }
}
