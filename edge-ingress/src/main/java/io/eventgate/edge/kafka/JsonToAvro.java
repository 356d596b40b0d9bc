package io.eventgate.edge.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * A plain JSON document checked against an Avro schema and turned into the datum it describes. Written here because
 * Avro's own JSON decoder reads Avro's JSON encoding (unions tagged with their branch), not the JSON an API client sends;
 * this one takes a union's value as it is, the first branch that fits. Fields the schema lacks are refused, missing
 * ones take their default; the first mismatch is reported with its JSON pointer and the type the schema expects.
 */
final class JsonToAvro {
    /** Where the document departs from the schema. */
    static final class Mismatch extends Exception {
        private final String pointer;
        private final String expected;

        Mismatch(String pointer, String expected, String message) {
            super(message, null, false, false);
            this.pointer = pointer;
            this.expected = expected;
        }

        String pointer() {
            return pointer;
        }

        String expected() {
            return expected;
        }
    }

    private JsonToAvro() {
    }

    static GenericRecord record(JsonNode json, Schema schema) throws Mismatch {
        return (GenericRecord) datum(json, schema, "");
    }

    private static Object datum(JsonNode json, Schema schema, String pointer) throws Mismatch {
        return switch (schema.getType()) {
            case RECORD -> record(json, schema, pointer);
            case UNION -> union(json, schema, pointer);
            case NULL -> {
                require(json.isNull(), json, "null", pointer);
                yield null;
            }
            case BOOLEAN -> {
                require(json.isBoolean(), json, "boolean", pointer);
                yield json.booleanValue();
            }
            case INT -> {
                require(json.isIntegralNumber() && json.canConvertToInt(), json, "int", pointer);
                yield json.intValue();
            }
            case LONG -> {
                require(json.isIntegralNumber() && json.canConvertToLong(), json, "long", pointer);
                yield json.longValue();
            }
            case FLOAT -> {
                require(json.isNumber(), json, "float", pointer);
                yield json.floatValue();
            }
            case DOUBLE -> {
                require(json.isNumber(), json, "double", pointer);
                yield json.doubleValue();
            }
            case STRING -> {
                require(json.isTextual(), json, "string", pointer);
                yield json.textValue();
            }
            case ENUM -> {
                require(json.isTextual() && schema.getEnumSymbols().contains(json.textValue()), json,
                        "one of " + schema.getEnumSymbols(), pointer);
                yield new GenericData.EnumSymbol(schema, json.textValue());
            }
            case BYTES -> ByteBuffer.wrap(base64(json, "bytes (base64)", pointer));
            case FIXED -> {
                byte[] bytes = base64(json, schema.getFixedSize() + " bytes (base64)", pointer);
                require(bytes.length == schema.getFixedSize(), json, schema.getFixedSize() + " bytes (base64)", pointer);
                yield new GenericData.Fixed(schema, bytes);
            }
            case ARRAY -> {
                require(json.isArray(), json, "array", pointer);
                List<Object> items = new ArrayList<>(json.size());
                for (int i = 0; i < json.size(); i++) {
                    items.add(datum(json.get(i), schema.getElementType(), pointer + "/" + i));
                }
                yield new GenericData.Array<>(schema, items);
            }
            case MAP -> {
                require(json.isObject(), json, "map (object)", pointer);
                Map<String, Object> entries = new HashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> entry = it.next();
                    entries.put(entry.getKey(), datum(entry.getValue(), schema.getValueType(), pointer + "/" + escape(entry.getKey())));
                }
                yield entries;
            }
        };
    }

    private static GenericRecord record(JsonNode json, Schema schema, String pointer) throws Mismatch {
        require(json.isObject(), json, "record " + schema.getName() + " (object)", pointer);
        GenericData.Record record = new GenericData.Record(schema);
        for (Schema.Field field : schema.getFields()) {
            JsonNode value = json.get(field.name());
            String at = pointer + "/" + escape(field.name());
            if (value == null) {
                if (!field.hasDefaultValue()) {
                    throw new Mismatch(at, describe(field.schema()), "field " + at + " is missing; the schema expects " + describe(field.schema()));
                }
                record.put(field.pos(), GenericData.get().getDefaultValue(field));
            } else {
                record.put(field.pos(), datum(value, field.schema(), at));
            }
        }
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (schema.getField(name) == null) {
                String at = pointer + "/" + escape(name);
                throw new Mismatch(at, "no such field", "field " + at + " is not in the schema of " + schema.getFullName());
            }
        }
        return record;
    }

    private static Object union(JsonNode json, Schema schema, String pointer) throws Mismatch {
        for (Schema branch : schema.getTypes()) {
            try {
                return datum(json, branch, pointer);
            } catch (Mismatch notThisBranch) {
                // the next branch may fit
            }
        }
        throw new Mismatch(pointer, describe(schema), "field " + shown(pointer) + " is " + found(json) + "; the schema expects " + describe(schema));
    }

    private static byte[] base64(JsonNode json, String expected, String pointer) throws Mismatch {
        require(json.isTextual(), json, expected, pointer);
        try {
            return Base64.getDecoder().decode(json.textValue());
        } catch (IllegalArgumentException notBase64) {
            throw new Mismatch(pointer, expected, "field " + shown(pointer) + " is not base64; the schema expects " + expected);
        }
    }

    private static void require(boolean fits, JsonNode json, String expected, String pointer) throws Mismatch {
        if (!fits) {
            throw new Mismatch(pointer, expected, "field " + shown(pointer) + " is " + found(json) + "; the schema expects " + expected);
        }
    }

    private static String describe(Schema schema) {
        return switch (schema.getType()) {
            case UNION -> String.join(" or ", schema.getTypes().stream().map(JsonToAvro::describe).toList());
            case RECORD -> "record " + schema.getName();
            case ARRAY -> "array of " + describe(schema.getElementType());
            case MAP -> "map of " + describe(schema.getValueType());
            default -> schema.getType().getName();
        };
    }

    private static String found(JsonNode json) {
        return switch (json.getNodeType()) {
            case NUMBER -> json.isIntegralNumber() ? "the integer " + json : "the number " + json;
            case STRING -> "a string";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> json.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String shown(String pointer) {
        return pointer.isEmpty() ? "/ (the body)" : pointer;
    }

    private static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }
}
