package io.eventgate.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.eventgate.avro.EntityType;
import io.eventgate.policy.model.DetectorTuning;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A policy file: {@code pools:} (a map of pool id to its settings) and {@code routes:} (a list of routes, each
 * with its {@code id}), in the same shape as the edge's YAML, and {@code detectors:}, the anomaly detector's
 * tuning. Pools come first, so routes can use them.
 */
final class PolicyFile {
    /** One entity the file asks for. */
    record Entity(EntityType type, String id, JsonNode spec) {
        String key() {
            return switch (type) {
                case ROUTE -> "route:";
                case DETECTOR_SETTINGS -> "detectors:";
                default -> "pool:";
            } + id;
        }
    }

    private PolicyFile() {
    }

    static List<Entity> read(Path file) throws IOException {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": expected a mapping with 'pools' and/or 'routes'");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("pools") && !name.equals("routes") && !name.equals("detectors")) {
                throw new IllegalArgumentException(file + ": unknown section '" + name + "' (expected 'pools', 'routes' and 'detectors')");
            }
        }
        List<Entity> entities = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> pools = root.path("pools").fields(); pools.hasNext(); ) {
            Map.Entry<String, JsonNode> pool = pools.next();
            entities.add(new Entity(EntityType.UPSTREAM_POOL, pool.getKey(), pool.getValue()));
        }
        int index = 0;
        for (JsonNode route : root.path("routes")) {
            String id = route.path("id").asText("");
            if (id.isEmpty()) {
                throw new IllegalArgumentException(file + ": routes[" + index + "] has no id");
            }
            entities.add(new Entity(EntityType.ROUTE, id, route));
            index++;
        }
        if (root.has("detectors")) {
            entities.add(new Entity(EntityType.DETECTOR_SETTINGS, DetectorTuning.ENTITY_ID, root.get("detectors")));
        }
        return entities;
    }
}
