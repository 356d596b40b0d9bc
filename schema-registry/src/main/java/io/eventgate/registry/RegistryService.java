package io.eventgate.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.util.List;

/** The subset of Confluent's Schema Registry REST API that serializers, deserializers and operators use. */
public final class RegistryService implements HttpService {
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SchemaStore store;

    public RegistryService(SchemaStore store) {
        this.store = store;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", json((req, body) -> JSON.createObjectNode()))
                .get("/subjects", json((req, body) -> array(store.subjects())))
                .get("/subjects/{subject}/versions", json((req, body) -> array(store.versions(subject(req)))))
                .get("/subjects/{subject}/versions/{version}", json((req, body) -> version(store.version(subject(req), req.path().pathParameters().get("version")))))
                .get("/subjects/{subject}/versions/{version}/schema", (req, res) -> {
                    SchemaStore.Version v = store.version(subject(req), req.path().pathParameters().get("version"));
                    res.header(HeaderNames.CONTENT_TYPE, CONTENT_TYPE).send(v.schema().toString());
                })
                .post("/subjects/{subject}/versions", json((req, body) -> JSON.createObjectNode().put("id", store.register(subject(req), body.path("schema").asText(null)).id())))
                .post("/subjects/{subject}", json((req, body) -> version(store.lookup(subject(req), body.path("schema").asText(null)))))
                .get("/schemas/ids/{id}", json((req, body) -> JSON.createObjectNode().put("schema", store.byId(id(req)).toString())))
                .post("/compatibility/subjects/{subject}/versions/{version}", json((req, body) -> {
                    List<String> violations = store.compatibilityViolations(subject(req), body.path("schema").asText(null));
                    ObjectNode answer = JSON.createObjectNode().put("is_compatible", violations.isEmpty());
                    if (!violations.isEmpty() && "true".equals(req.query().first("verbose").orElse("false"))) {
                        answer.set("messages", array(violations));
                    }
                    return answer;
                }))
                .get("/config", json((req, body) -> JSON.createObjectNode().put("compatibilityLevel", store.globalLevel().name())))
                .put("/config", json((req, body) -> {
                    store.setGlobalLevel(level(body));
                    return JSON.createObjectNode().put("compatibility", store.globalLevel().name());
                }))
                .get("/config/{subject}", json((req, body) -> JSON.createObjectNode().put("compatibilityLevel", store.levelOf(subject(req)).name())))
                .put("/config/{subject}", json((req, body) -> {
                    CompatibilityLevel level = level(body);
                    store.setSubjectLevel(subject(req), level);
                    return JSON.createObjectNode().put("compatibility", level.name());
                }));
    }

    /** A JSON endpoint: parses the body if any, maps RegistryException to Confluent's error shape. */
    private static Handler json(Endpoint endpoint) {
        return (req, res) -> {
            try {
                JsonNode body = JSON.nullNode();
                if (req.content().hasEntity()) {
                    String text = req.content().as(String.class);
                    try {
                        body = text.isBlank() ? JSON.nullNode() : JSON.readTree(text);
                    } catch (IOException e) {
                        throw new RegistryException(400, 400, "Request body is not JSON: " + e.getMessage());
                    }
                }
                send(res, Status.OK_200, endpoint.answer(req, body));
            } catch (RegistryException e) {
                send(res, Status.create(e.httpStatus()), JSON.createObjectNode().put("error_code", e.errorCode()).put("message", e.getMessage()));
            }
        };
    }

    private static void send(ServerResponse res, Status status, JsonNode body) {
        res.status(status).header(HeaderNames.CONTENT_TYPE, CONTENT_TYPE).send(body.toString());
    }

    private static String subject(ServerRequest req) {
        return req.path().pathParameters().get("subject");
    }

    private static int id(ServerRequest req) {
        String text = req.path().pathParameters().get("id");
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw RegistryException.schemaNotFound("id " + text);
        }
    }

    private static CompatibilityLevel level(JsonNode body) {
        String name = body.path("compatibility").asText(null);
        CompatibilityLevel level = CompatibilityLevel.parse(name);
        if (level == null) {
            throw new RegistryException(422, 42203, "Invalid compatibility level '" + name + "'");
        }
        return level;
    }

    private static ObjectNode version(SchemaStore.Version v) {
        return JSON.createObjectNode().put("subject", v.subject()).put("version", v.version()).put("id", v.id()).put("schema", v.schema().toString());
    }

    private static ArrayNode array(List<?> items) {
        ArrayNode array = JSON.createArrayNode();
        items.forEach(i -> array.addPOJO(i));
        return array;
    }

    @FunctionalInterface
    private interface Endpoint {
        JsonNode answer(ServerRequest req, JsonNode body);
    }
}
