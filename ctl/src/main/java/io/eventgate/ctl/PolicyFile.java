package io.eventgate.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.eventgate.avro.EntityType;
import io.eventgate.policy.control.EntityKind;
import io.eventgate.policy.model.ConsumerSettings;
import io.eventgate.policy.model.DetectorTuning;
import io.eventgate.policy.model.GlobalPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A policy file, in the same shape as the edge's YAML: {@code pools:} and {@code plans:} (maps of id to
 * settings), {@code routes:} (a list, each with its {@code id}), {@code consumers:} (a map of id to plan, keys
 * and groups), {@code global:} (the global policy) and {@code detectors:} (the anomaly detector's tuning).
 * Entities come in that order, so routes can use the pools and consumers the plans before them. API keys
 * written in plain text are hashed here, before anything leaves the machine.
 */
final class PolicyFile {
    private static final List<String> SECTIONS = List.of("pools", "plans", "routes", "consumers", "global", "detectors", "webhooks");

    /** One entity the file asks for. */
    record Entity(EntityType type, String id, JsonNode spec) {
        String key() {
            return EntityKind.of(type).orElseThrow().key(id);
        }
    }

    private PolicyFile() {
    }

    static List<Entity> read(Path file) throws IOException {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": expected a mapping with some of " + SECTIONS);
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!SECTIONS.contains(name)) {
                throw new IllegalArgumentException(file + ": unknown section '" + name + "' (expected " + SECTIONS + ")");
            }
        }
        List<Entity> entities = new ArrayList<>();
        byId(root.path("pools"), EntityType.UPSTREAM_POOL, entities);
        byId(root.path("plans"), EntityType.PLAN, entities);
        int index = 0;
        for (JsonNode route : root.path("routes")) {
            String id = route.path("id").asText("");
            if (id.isEmpty()) {
                throw new IllegalArgumentException(file + ": routes[" + index + "] has no id");
            }
            entities.add(new Entity(EntityType.ROUTE, id, route));
            index++;
        }
        for (Iterator<Map.Entry<String, JsonNode>> consumers = root.path("consumers").fields(); consumers.hasNext(); ) {
            Map.Entry<String, JsonNode> consumer = consumers.next();
            entities.add(new Entity(EntityType.CONSUMER, consumer.getKey(), withHashedKeys(consumer.getValue())));
        }
        byId(root.path("webhooks"), EntityType.WEBHOOK, entities);
        if (root.has("global")) {
            entities.add(new Entity(EntityType.GLOBAL_POLICY, GlobalPolicy.ENTITY_ID, root.get("global")));
        }
        if (root.has("detectors")) {
            entities.add(new Entity(EntityType.DETECTOR_SETTINGS, DetectorTuning.ENTITY_ID, root.get("detectors")));
        }
        return entities;
    }

    private static void byId(JsonNode section, EntityType type, List<Entity> entities) {
        for (Iterator<Map.Entry<String, JsonNode>> fields = section.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> entity = fields.next();
            entities.add(new Entity(type, entity.getKey(), entity.getValue()));
        }
    }

    /** The consumer with every plain-text API key replaced by its hash; hashes stay as they are. */
    static JsonNode withHashedKeys(JsonNode consumer) {
        if (!consumer.isObject() || !consumer.path("apiKeys").isArray()) {
            return consumer;
        }
        ObjectNode copy = consumer.deepCopy();
        ArrayNode keys = copy.putArray("apiKeys");
        for (JsonNode key : consumer.get("apiKeys")) {
            String text = key.asText();
            keys.add(ConsumerSettings.isHashedKey(text) ? text : ConsumerSettings.hashKey(text));
        }
        return copy;
    }
}
