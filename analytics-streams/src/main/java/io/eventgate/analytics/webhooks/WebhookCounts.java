package io.eventgate.analytics.webhooks;

import io.eventgate.avro.WebhookDelivery;
import java.nio.ByteBuffer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** One subscription's deliveries in a window: records delivered, the attempts they took, failed attempts, records dead-lettered. */
public record WebhookCounts(long delivered, long deliveredAttempts, long failedAttempts, long deadLettered) {
    static WebhookCounts none() {
        return new WebhookCounts(0, 0, 0, 0);
    }

    WebhookCounts plus(WebhookDelivery delivery) {
        return switch (delivery.getOutcome()) {
            case DELIVERED -> new WebhookCounts(delivered + 1, deliveredAttempts + delivery.getAttempt(), failedAttempts, deadLettered);
            case FAILED -> new WebhookCounts(delivered, deliveredAttempts, failedAttempts + 1, deadLettered);
            case DEAD_LETTERED -> new WebhookCounts(delivered, deliveredAttempts, failedAttempts + 1, deadLettered + 1);
            default -> this;
        };
    }

    public WebhookCounts plus(WebhookCounts other) {
        return new WebhookCounts(delivered + other.delivered, deliveredAttempts + other.deliveredAttempts, failedAttempts + other.failedAttempts,
                deadLettered + other.deadLettered);
    }

    static Serde<WebhookCounts> serde() {
        return Serdes.serdeFrom(
                (topic, counts) -> counts == null ? null
                        : ByteBuffer.allocate(32).putLong(counts.delivered).putLong(counts.deliveredAttempts).putLong(counts.failedAttempts)
                                .putLong(counts.deadLettered).array(),
                (topic, bytes) -> {
                    if (bytes == null) {
                        return null;
                    }
                    ByteBuffer buffer = ByteBuffer.wrap(bytes);
                    return new WebhookCounts(buffer.getLong(), buffer.getLong(), buffer.getLong(), buffer.getLong());
                });
    }
}
