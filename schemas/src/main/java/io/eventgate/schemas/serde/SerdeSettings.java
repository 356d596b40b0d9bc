package io.eventgate.schemas.serde;

import java.util.Map;

/**
 * The serdes' settings, read from the same config keys as Confluent's Avro serializer and deserializer,
 * so switching to Confluent's classes where they are available is a configuration change.
 */
public record SerdeSettings(String registryUrl, boolean autoRegisterSchemas, boolean useLatestVersion, boolean specificAvroReader) {
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    public static final String USE_LATEST_VERSION = "use.latest.version";
    public static final String SPECIFIC_AVRO_READER = "specific.avro.reader";

    public SerdeSettings {
        if (registryUrl == null || registryUrl.isBlank()) {
            throw new IllegalArgumentException("'" + SCHEMA_REGISTRY_URL + "' is required");
        }
        if (autoRegisterSchemas && useLatestVersion) {
            throw new IllegalArgumentException("'" + AUTO_REGISTER_SCHEMAS + "' and '" + USE_LATEST_VERSION
                    + "' cannot both be true: set auto.register.schemas=false to serialize with the latest registered version");
        }
    }

    /** Reads the settings from a Kafka client config map (values may be strings or booleans). */
    public static SerdeSettings from(Map<String, ?> configs) {
        Object url = configs.get(SCHEMA_REGISTRY_URL);
        return new SerdeSettings(url == null ? null : url.toString(),
                flag(configs, AUTO_REGISTER_SCHEMAS, true),
                flag(configs, USE_LATEST_VERSION, false),
                flag(configs, SPECIFIC_AVRO_READER, false));
    }

    private static boolean flag(Map<String, ?> configs, String key, boolean defaultValue) {
        Object value = configs.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        String text = value.toString().trim();
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(text);
        }
        throw new IllegalArgumentException("'" + key + "' must be true or false, was '" + value + "'");
    }
}
