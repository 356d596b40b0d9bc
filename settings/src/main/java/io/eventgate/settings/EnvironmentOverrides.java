package io.eventgate.settings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Replaces scalar values of a YAML tree with environment variables: {@code kafka.port} is overridden by
 * {@code <PREFIX>_KAFKA_PORT}, {@code demoUpstream.port} by {@code <PREFIX>_DEMO_UPSTREAM_PORT}. Only keys
 * present in the file can be overridden, so a typo in a variable name cannot invent a setting.
 */
public final class EnvironmentOverrides {
    private EnvironmentOverrides() {
    }

    /** Applies the overrides in place and returns the names of the variables used. */
    public static List<String> apply(ObjectNode tree, String prefix, Map<String, String> env) {
        List<String> used = new ArrayList<>();
        apply(tree, prefix.toUpperCase(Locale.ROOT), env, used);
        return used;
    }

    private static void apply(ObjectNode node, String envPrefix, Map<String, String> env, List<String> used) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = envPrefix + "_" + envName(field.getKey());
            if (field.getValue() instanceof ObjectNode child) {
                apply(child, name, env, used);
            } else if (field.getValue().isValueNode() || field.getValue().isNull()) {
                String value = env.get(name);
                if (value != null) {
                    field.setValue(TextNode.valueOf(value));
                    used.add(name);
                }
            }
        }
    }

    /** {@code demoUpstream} → {@code DEMO_UPSTREAM}, {@code data-dir} → {@code DATA_DIR}. */
    static String envName(String key) {
        return key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }
}
