package io.eventgate.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eventgate.avro.EntityType;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * An OpenAPI document turned into routes: one per path template and its set of methods, each sending to one pool,
 * checked against the same document ({@code contract}), under an optional prefix the route strips again. What OpenAPI
 * cannot say comes from {@code x-eventgate-*} extensions on the operation, its path item or the document, the nearest
 * winning: {@code x-eventgate-anonymous} (otherwise: anonymous when the operation's security requirements are empty),
 * {@code x-eventgate-auth} (the credential schemes it takes: apiKey, jwt, basic, mtls, introspection),
 * {@code x-eventgate-groups} (consumer groups or token scopes of which a caller must hold one), {@code x-eventgate-rate-limit}
 * (requests a second for the route), {@code x-eventgate-plan} (the API's plan: {@code ratePerSecond} and {@code burst} each
 * consumer may use of it), {@code x-eventgate-cache} (the route's cache settings), {@code x-eventgate-owner} and
 * {@code x-eventgate-tags}.
 */
final class OpenApiImport {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String PREFIX = "x-eventgate-";

    private OpenApiImport() {
    }

    static List<PolicyFile.Entity> routes(Path document, String pool, String prefix) {
        if (prefix != null && (!prefix.startsWith("/") || prefix.endsWith("/"))) {
            throw new IllegalArgumentException("--prefix must start with '/' and not end with one, was '" + prefix + "'");
        }
        SwaggerParseResult result = parse(document);
        OpenAPI api = result.getOpenAPI();
        if (api == null || api.getPaths() == null) {
            throw new IllegalArgumentException(document + " is not an OpenAPI document: " + result.getMessages());
        }
        String apiName = slug(api.getInfo() == null || api.getInfo().getTitle() == null ? document.getFileName().toString() : api.getInfo().getTitle());
        List<PolicyFile.Entity> routes = new ArrayList<>();
        Map<String, Integer> ids = new LinkedHashMap<>();
        api.getPaths().forEach((template, item) -> {
            Map<PathItem.HttpMethod, Operation> operations = item.readOperationsMap();
            if (operations.isEmpty()) {
                return;
            }
            String id = unique(ids, clip(apiName + "-" + slug(template)));
            ObjectNode route = JSON.createObjectNode().put("id", id);
            ObjectNode match = route.putObject("match");
            match.putArray("paths").add((prefix == null ? "" : prefix) + template);
            ArrayNode methods = match.putArray("methods");
            new TreeSet<>(operations.keySet().stream().map(Enum::name).toList()).forEach(methods::add);
            route.putArray("upstreams").addObject().put("pool", pool);
            if (prefix != null) {
                route.put("stripPrefix", prefix);
            }
            // the nearest word wins: operation (every operation of the set must agree), path item, document
            List<Map<String, Object>> scopes = new ArrayList<>();
            operations.values().forEach(o -> scopes.add(extensions(o.getExtensions())));
            Map<String, Object> itemScope = extensions(item.getExtensions());
            Map<String, Object> rootScope = extensions(api.getExtensions());
            route.put("anonymous", anonymous(operations.values(), api, scopes, itemScope, rootScope));
            Object rate = nearest("rate-limit", scopes, itemScope, rootScope);
            if (rate != null) {
                limits(route).putObject("route").put("ratePerSecond", Double.parseDouble(rate.toString()));
            }
            Object plan = nearest("plan", scopes, itemScope, rootScope);
            if (plan != null) {
                limits(route).set("consumer", JSON.valueToTree(plan)); // what each consumer may use of this API, on top of its own plan
            }
            Object cache = nearest("cache", scopes, itemScope, rootScope);
            if (cache != null) {
                route.set("cache", JSON.valueToTree(cache));
            }
            Object groups = nearest("groups", scopes, itemScope, rootScope);
            Object auth = nearest("auth", scopes, itemScope, rootScope);
            if (groups != null || auth != null) {
                ObjectNode access = route.putObject("access");
                if (groups != null) {
                    access.set("groups", JSON.valueToTree(groups));
                }
                if (auth != null) {
                    access.set("methods", JSON.valueToTree(auth));
                    route.put("anonymous", false);
                }
            }
            ObjectNode info = route.putObject("info").put("api", apiName);
            Object owner = nearest("owner", scopes, itemScope, rootScope);
            if (owner != null) {
                info.put("owner", owner.toString());
            }
            Object tags = nearest("tags", scopes, itemScope, rootScope);
            if (tags != null) {
                info.set("tags", JSON.valueToTree(tags));
            }
            route.putObject("contract").put("openapi", document.toString());
            routes.add(new PolicyFile.Entity(EntityType.ROUTE, id, route));
        });
        return routes;
    }

    /** The document read by location, so that a {@code $ref} to another file resolves next to it; what import and lint both read. */
    static SwaggerParseResult parse(Path document) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        return new OpenAPIV3Parser().readLocation(document.toAbsolutePath().toString(), null, options);
    }

    private static ObjectNode limits(ObjectNode route) {
        return route.has("rateLimits") ? (ObjectNode) route.get("rateLimits") : route.putObject("rateLimits");
    }

    /** Anonymous when an extension says so, otherwise when none of the operations asks for any security scheme. */
    private static boolean anonymous(java.util.Collection<Operation> operations, OpenAPI api, List<Map<String, Object>> scopes, Map<String, Object> item,
                                     Map<String, Object> root) {
        Object said = nearest("anonymous", scopes, item, root);
        if (said != null) {
            return Boolean.parseBoolean(said.toString());
        }
        for (Operation operation : operations) {
            List<SecurityRequirement> security = operation.getSecurity() != null ? operation.getSecurity() : api.getSecurity();
            if (security != null && security.stream().anyMatch(requirement -> !requirement.isEmpty())) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, Object> extensions(Map<String, Object> extensions) {
        return extensions == null ? Map.of() : extensions;
    }

    private static Object nearest(String name, List<Map<String, Object>> operations, Map<String, Object> item, Map<String, Object> root) {
        String key = PREFIX + name;
        Object found = null;
        for (Map<String, Object> operation : operations) {
            Object value = operation.get(key);
            if (value != null) {
                if (found != null && !found.equals(value)) {
                    throw new IllegalArgumentException(key + " differs between operations of one path; a route takes one value: " + found + " and " + value);
                }
                found = value;
            }
        }
        return found != null ? found : item.get(key) != null ? item.get(key) : root.get(key);
    }

    /** Letters and digits, the rest '-': {@code /pets/{petId}} becomes {@code pets-petid}. */
    static String slug(String text) {
        String slug = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        return slug.isEmpty() ? "root" : slug;
    }

    private static String clip(String id) {
        return id.length() <= 60 ? id : id.substring(0, 60).replaceAll("-+$", "");
    }

    private static String unique(Map<String, Integer> ids, String id) {
        int seen = ids.merge(id, 1, Integer::sum);
        return seen == 1 ? id : id + "-" + seen;
    }

    static JsonNode asYaml(List<PolicyFile.Entity> routes) {
        ObjectNode file = JSON.createObjectNode();
        ArrayNode list = file.putArray("routes");
        routes.forEach(route -> list.add(route.spec()));
        return file;
    }
}
