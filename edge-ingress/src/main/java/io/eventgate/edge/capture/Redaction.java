package io.eventgate.edge.capture;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.eventgate.avro.CapturedHeader;
import io.eventgate.policy.model.RoutePolicies;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What must never leave the edge in a capture, taken out before it is built: credentials and cookies always, and the
 * headers, query parameters and JSON fields a route's capture policy names. Each removal is noted by name only
 * ({@code header:x-api-key}, {@code query:token}, {@code json:/card/number}, {@code body}), never with its value.
 */
final class Redaction {
    static final String MASK = "REDACTED";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Headers that carry credentials or session state, whatever the route says. */
    private static final Set<String> ALWAYS = Set.of("authorization", "proxy-authorization", "cookie");

    private final Set<String> headers;
    private final Set<String> query;
    private final Set<String> fieldNames = new HashSet<>();
    private final List<JsonPointer> pointers = new ArrayList<>();
    private final List<String> redacted = new ArrayList<>();

    /** {@code apiKeyHeader} and {@code apiKeyQuery} (or null) are where the node's consumers present API keys. */
    Redaction(RoutePolicies.Capture policy, String apiKeyHeader, String apiKeyQuery) {
        this.headers = new HashSet<>(ALWAYS);
        headers.add(apiKeyHeader.toLowerCase(Locale.ROOT));
        headers.addAll(policy.redactHeaders());
        this.query = new HashSet<>(policy.redactQuery());
        if (apiKeyQuery != null) {
            query.add(apiKeyQuery);
        }
        for (String field : policy.redactJsonFields()) {
            if (field.startsWith("/")) {
                pointers.add(JsonPointer.compile(field));
            } else {
                fieldNames.add(field);
            }
        }
    }

    /** Also takes out a header the request's authentication read its credential from (a custom token header). */
    void alsoHeader(String lowerCaseName) {
        headers.add(lowerCaseName);
    }

    /** The headers without the redacted ones, names in lower case. */
    List<CapturedHeader> headers(Map<String, List<String>> all) {
        List<CapturedHeader> kept = new ArrayList<>();
        all.forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (headers.contains(lower)) {
                redacted.add("header:" + lower);
                return;
            }
            for (String value : values) {
                kept.add(new CapturedHeader(lower, value));
            }
        });
        return kept;
    }

    /** The raw query without the redacted parameters (the others keep their encoding); null when nothing is left. */
    String query(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        StringBuilder kept = new StringBuilder();
        for (String pair : rawQuery.split("&", -1)) {
            int equals = pair.indexOf('=');
            String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            if (query.contains(name)) {
                redacted.add("query:" + name);
                continue;
            }
            if (!kept.isEmpty()) {
                kept.append('&');
            }
            kept.append(pair);
        }
        return kept.isEmpty() ? null : kept.toString();
    }

    /**
     * The body with the configured JSON fields masked, or null when fields are configured and the body cannot be checked
     * (not JSON, encoded, cut at the size limit): then it is left out whole.
     */
    byte[] body(byte[] body, boolean complete, String contentEncoding) {
        if (body == null || body.length == 0 || fieldNames.isEmpty() && pointers.isEmpty()) {
            return body;
        }
        boolean encoded = contentEncoding != null && !contentEncoding.equalsIgnoreCase("identity");
        JsonNode tree = null;
        if (complete && !encoded) {
            try {
                tree = JSON.readTree(body);
            } catch (IOException notJson) {
                tree = null;
            }
        }
        if (tree == null || !tree.isContainerNode()) {
            redacted.add("body");
            return null;
        }
        mask(tree, "");
        for (JsonPointer pointer : pointers) {
            JsonNode parent = tree.at(pointer.head());
            String last = pointer.last().getMatchingProperty();
            if (parent instanceof ObjectNode object && object.has(last)) {
                object.set(last, TextNode.valueOf(MASK));
                redacted.add("json:" + pointer);
            } else if (parent instanceof ArrayNode array && pointer.last().getMatchingIndex() >= 0 && pointer.last().getMatchingIndex() < array.size()) {
                array.set(pointer.last().getMatchingIndex(), TextNode.valueOf(MASK));
                redacted.add("json:" + pointer);
            }
        }
        try {
            return JSON.writeValueAsBytes(tree);
        } catch (IOException e) {
            redacted.add("body");
            return null;
        }
    }

    /** Masks every field with a configured name, at any depth. */
    private void mask(JsonNode node, String at) {
        if (node instanceof ObjectNode object) {
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                String pointer = at + "/" + field.getKey().replace("~", "~0").replace("/", "~1");
                if (fieldNames.contains(field.getKey())) {
                    field.setValue(TextNode.valueOf(MASK));
                    redacted.add("json:" + pointer);
                } else {
                    mask(field.getValue(), pointer);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                mask(array.get(i), at + "/" + i);
            }
        }
    }

    /** What was taken out, by name. */
    List<String> redacted() {
        return List.copyOf(redacted);
    }
}
