package io.eventgate.edge.transform;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eventgate.policy.model.RoutePolicies;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;

/** Applies a route's JSON body edits to a whole body; a body that is not JSON is left as it is. */
public final class JsonBodyEditor {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonBodyEditor() {
    }

    /** Whether a body of {@code contentType} is JSON ({@code application/json} or {@code application/*+json}). */
    public static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || type.startsWith("application/") && type.endsWith("+json");
    }

    /** The edited body, or {@code body} itself when it does not parse as JSON. */
    public static byte[] edit(byte[] body, RoutePolicies.JsonEdits edits) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException notJson) {
            return body;
        }
        if (root == null || !root.isContainerNode()) {
            return body;
        }
        for (String pointer : edits.remove()) {
            remove(root, JsonPointer.compile(pointer));
        }
        for (Map.Entry<String, String> rename : edits.rename().entrySet()) {
            JsonNode value = root.at(rename.getKey());
            if (!value.isMissingNode()) {
                remove(root, JsonPointer.compile(rename.getKey()));
                put(root, JsonPointer.compile(rename.getValue()), value);
            }
        }
        for (Map.Entry<String, Object> set : edits.set().entrySet()) {
            put(root, JsonPointer.compile(set.getKey()), JSON.valueToTree(set.getValue()));
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            return body;
        }
    }

    private static void remove(JsonNode root, JsonPointer pointer) {
        JsonNode parent = root.at(pointer.head());
        String last = pointer.last().getMatchingProperty();
        if (parent instanceof ObjectNode object) {
            object.remove(last);
        } else if (parent instanceof ArrayNode array && pointer.last().mayMatchElement()) {
            array.remove(pointer.last().getMatchingIndex());
        }
    }

    private static void put(JsonNode root, JsonPointer pointer, JsonNode value) {
        JsonNode parent = root;
        for (JsonPointer step = pointer; !step.tail().matches(); step = step.tail()) {
            String name = step.getMatchingProperty();
            JsonNode next = parent.get(name);
            if (!(next instanceof ObjectNode) && parent instanceof ObjectNode object) {
                next = object.putObject(name); // the objects on the way are made
            }
            if (next == null) {
                return;
            }
            parent = next;
        }
        if (parent instanceof ObjectNode object) {
            object.set(pointer.last().getMatchingProperty(), value);
        }
    }
}
