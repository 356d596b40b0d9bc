package io.eventgate.webhooks;

import io.eventgate.policy.model.WebhookSettings;
import java.util.Map;
import java.util.TreeMap;

/**
 * The delivery component: its Kafka and registry, the consumer groups' prefix (one group per subscription, so that
 * instances share each subscription's partitions), the dead-letter topic, whether it follows {@code webhook:ID} entities
 * on the policies topic, and subscriptions of its own configuration.
 */
public record WebhookDeliverySettings(String applicationId, String bootstrapServers, String schemaRegistryUrl, String topicPrefix,
                                      String deadLetterTopic, Boolean followPolicies, Map<String, WebhookSettings> webhooks) {
    public WebhookDeliverySettings {
        require(applicationId, "applicationId");
        require(bootstrapServers, "bootstrapServers");
        require(schemaRegistryUrl, "schemaRegistryUrl");
        topicPrefix = topicPrefix == null ? "gateway." : topicPrefix;
        deadLetterTopic = deadLetterTopic == null ? topicPrefix + "webhooks-dead-letter" : deadLetterTopic;
        followPolicies = followPolicies == null ? Boolean.TRUE : followPolicies;
        webhooks = Map.copyOf(new TreeMap<>(webhooks == null ? Map.of() : webhooks));
    }

    private static void require(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " is required");
        }
    }

    public WebhookDeliverySettings withAddresses(String bootstrapServers, String schemaRegistryUrl) {
        return new WebhookDeliverySettings(applicationId, bootstrapServers, schemaRegistryUrl, topicPrefix, deadLetterTopic, followPolicies, webhooks);
    }
}
