package io.eventgate.analytics.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eventgate.avro.NodeConfig;
import io.eventgate.avro.PolicyEntity;
import io.eventgate.schemas.DeclaredEntities;
import io.eventgate.schemas.follow.TopicFollower;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * What exists and who may use it, for developers: every API (the routes that name it in {@code info.api}; a route that
 * names none is an API of its own) with its owners, its routes and how each is called (paths, methods, whether it needs
 * credentials and which schemes and groups), its versions' deprecation and sunset, and its OpenAPI document; and the
 * plans consumers hold. Built from the entities in force, the edges' static ones overridden by the control topic's, as
 * every instance follows {@code gateway.node-config} and {@code gateway.policies} from their beginnings.
 */
final class Catalog implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, PolicyEntity> control = new ConcurrentHashMap<>();
    private final Map<String, NodeConfig> nodes = new ConcurrentHashMap<>();
    private final TopicFollower<PolicyEntity> policies;
    private final TopicFollower<NodeConfig> configs;

    Catalog(String bootstrapServers, String policiesTopic, Deserializer<PolicyEntity> policies, String nodeConfigTopic, Deserializer<NodeConfig> configs) {
        this.policies = new TopicFollower<>(policiesTopic, bootstrapServers, "analytics-catalog-policies", policies, TopicFollower.FROM_BEGINNING,
                (key, entity) -> {
                    if (entity == null) {
                        control.remove(key);
                    } else {
                        control.put(key, entity);
                    }
                }, control::clear, () -> { });
        this.configs = new TopicFollower<>(nodeConfigTopic, bootstrapServers, "analytics-catalog-node-configs", configs, TopicFollower.FROM_BEGINNING,
                (node, config) -> {
                    if (config == null) {
                        nodes.remove(node);
                    } else {
                        nodes.put(node, config);
                    }
                }, nodes::clear, () -> { });
    }

    /** The entities in force by key, with their source: the edges' static ones, then the control topic's over them. */
    private Map<String, Entry> inForce() {
        Map<String, Entry> entities = new TreeMap<>();
        DeclaredEntities.of(nodes).forEach((key, entity) -> entities.put(key, new Entry(entity.getSpec(), "yaml")));
        control.forEach((key, entity) -> entities.put(key, new Entry(entity.getSpec(), "control")));
        return entities;
    }

    private record Entry(String spec, String source) {
        JsonNode tree() {
            try {
                return JSON.readTree(spec);
            } catch (IOException e) {
                return JSON.createObjectNode();
            }
        }
    }

    /** Every API and plan in force. */
    JsonNode all() {
        Map<String, ObjectNode> apis = new TreeMap<>();
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode plans = JSON.createArrayNode();
        inForce().forEach((key, entry) -> {
            JsonNode spec = entry.tree();
            if (key.startsWith("plan:")) {
                ObjectNode plan = plans.addObject().put("id", key.substring("plan:".length())).put("source", entry.source());
                for (String field : new String[] {"ratePerSecond", "burst", "dailyQuota", "monthlyQuota", "global"}) {
                    if (spec.has(field)) {
                        plan.set(field, spec.get(field));
                    }
                }
                return;
            }
            if (!key.startsWith("route:")) {
                return;
            }
            String name = spec.path("info").path("api").asText(spec.path("id").asText());
            ObjectNode api = apis.computeIfAbsent(name, n -> {
                ObjectNode created = JSON.createObjectNode().put("api", n);
                created.putArray("owners");
                created.putArray("openapi");
                created.putArray("versions");
                created.putArray("routes");
                return created;
            });
            ObjectNode route = ((ArrayNode) api.get("routes")).addObject().put("id", spec.path("id").asText()).put("source", entry.source());
            route.set("paths", spec.path("match").path("paths"));
            route.set("methods", spec.path("match").path("methods").isMissingNode() ? JSON.createArrayNode() : spec.path("match").path("methods"));
            route.put("authentication", spec.path("anonymous").asBoolean(true) ? "none" : "required");
            route.set("schemes", spec.path("access").path("methods").isMissingNode() ? JSON.createArrayNode() : spec.path("access").path("methods"));
            route.set("groups", spec.path("access").path("groups").isMissingNode() ? JSON.createArrayNode() : spec.path("access").path("groups"));
            add(api, "owners", spec.path("info").path("owner"));
            add(api, "openapi", spec.path("contract").path("openapi"));
            JsonNode deprecation = spec.path("deprecation");
            if (!deprecation.isMissingNode() && !deprecation.isNull()) {
                ObjectNode version = ((ArrayNode) api.get("versions")).addObject().put("route", spec.path("id").asText()).put("deprecated", true);
                version.set("since", deprecation.path("since"));
                version.set("sunset", deprecation.path("sunset"));
                version.set("successor", deprecation.path("successor"));
                version.set("link", deprecation.path("link"));
            }
        });
        ArrayNode list = answer.putArray("apis");
        apis.values().forEach(list::add);
        answer.set("plans", plans);
        return answer;
    }

    /** The path of the OpenAPI document of {@code api}, if a route of it names one. */
    Optional<String> openapi(String api) {
        JsonNode found = all().path("apis");
        for (JsonNode candidate : found) {
            if (candidate.path("api").asText().equals(api) && !candidate.path("openapi").isEmpty()) {
                return Optional.of(candidate.path("openapi").get(0).asText());
            }
        }
        return Optional.empty();
    }

    private static void add(ObjectNode api, String list, JsonNode value) {
        if (value.isTextual() && !value.asText().isBlank()) {
            TreeSet<String> values = new TreeSet<>();
            api.get(list).forEach(v -> values.add(v.asText()));
            if (values.add(value.asText())) {
                ArrayNode sorted = api.putArray(list);
                values.forEach(sorted::add);
            }
        }
    }

    @Override
    public void close() {
        policies.close();
        configs.close();
    }
}
