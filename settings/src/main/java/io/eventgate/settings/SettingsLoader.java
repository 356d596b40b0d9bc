package io.eventgate.settings;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The project's one configuration loader: a YAML document, overridden by environment variables, bound
 * to immutable records whose constructors validate them. Any problem becomes a {@link SettingsException}
 * naming the source, the field path and what is wrong.
 */
public final class SettingsLoader {
    private static final ObjectMapper YAML = JsonMapper.builder(new YAMLFactory())
            .addModule(new JavaTimeModule())
            .addModule(new SimpleModule("durations").addDeserializer(Duration.class, new DurationText.Deserializer()))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .build();

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The inverse of binding: a record's components only (never derived getters such as {@code isEmpty()}), durations as
     * ISO-8601 text ({@code PT5S}), which the binder reads back; unset fields left out.
     */
    private static final ObjectMapper WRITER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .visibility(com.fasterxml.jackson.annotation.PropertyAccessor.GETTER, com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility.NONE)
            .visibility(com.fasterxml.jackson.annotation.PropertyAccessor.IS_GETTER, com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility.NONE)
            .visibility(com.fasterxml.jackson.annotation.PropertyAccessor.FIELD, com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility.ANY)
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .serializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            .build();

    private SettingsLoader() {
    }

    /** Reads {@code file}, applies {@code <envPrefix>_...} overrides from {@code env}, binds it to {@code type}. */
    public static <T> T load(Path file, Class<T> type, String envPrefix, Map<String, String> env) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new SettingsException(file.toString(), "", "cannot read the file: " + e, e);
        }
        return parse(text, file.toString(), type, envPrefix, env);
    }

    /** Binds YAML text; {@code source} names it in errors. */
    public static <T> T parse(String yaml, String source, Class<T> type, String envPrefix, Map<String, String> env) {
        JsonNode tree;
        try {
            tree = YAML.readTree(yaml);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SettingsException(source, "", "not valid YAML: " + e.getOriginalMessage(), e);
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            tree = YAML.createObjectNode();
        }
        if (!(tree instanceof ObjectNode object)) {
            throw new SettingsException(source, "", "the document must be a mapping of settings", null);
        }
        if (envPrefix != null) {
            EnvironmentOverrides.apply(object, envPrefix, env);
        }
        return bind(object, source, type);
    }

    /** Binds a JSON document, such as a policy entity's spec, to a settings record; {@code source} names it in errors. */
    public static <T> T bindJson(String json, String source, Class<T> type) {
        JsonNode tree;
        try {
            tree = JSON.readTree(json == null ? "" : json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SettingsException(source, "", "not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (tree == null || tree.isMissingNode()) {
            throw new SettingsException(source, "", "the document is empty", null);
        }
        return bind(tree, source, type);
    }

    /** A settings record as JSON that binds back to an equal record, e.g. to publish a static entity as a policy spec. */
    public static String toJson(Object settings) {
        try {
            return WRITER.writeValueAsString(settings);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + settings.getClass().getSimpleName() + " as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Binds an already parsed tree (e.g. a JSON policy document) to a settings record. */
    public static <T> T bind(JsonNode tree, String source, Class<T> type) {
        try {
            return YAML.treeToValue(tree, type);
        } catch (JsonMappingException e) {
            throw new SettingsException(source, path(e), problem(e), e);
        } catch (IOException e) {
            throw new SettingsException(source, "", e.getMessage(), e);
        }
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
    }

    private static String problem(JsonMappingException e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            return "unknown setting '" + unknown.getPropertyName() + "'";
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof IllegalArgumentException && root.getMessage() != null) {
            return root.getMessage();
        }
        return e.getOriginalMessage();
    }
}
