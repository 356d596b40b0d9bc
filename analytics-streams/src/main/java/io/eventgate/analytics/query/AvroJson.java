package io.eventgate.analytics.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Contract records as plain JSON for the query API: field names as in the schema, timestamps as ISO-8601
 * instants, enums as their symbol, optional fields as the value or null (not Avro's {"string": ...} unions).
 */
final class AvroJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private AvroJson() {
    }

    static ObjectNode of(GenericRecord record) {
        ObjectNode node = NODES.objectNode();
        for (Schema.Field field : record.getSchema().getFields()) {
            node.set(field.name(), value(record.get(field.pos())));
        }
        return node;
    }

    private static JsonNode value(Object value) {
        return switch (value) {
            case null -> NODES.nullNode();
            case GenericRecord nested -> of(nested);
            case Instant instant -> NODES.textNode(instant.toString());
            case CharSequence text -> NODES.textNode(text.toString());
            case Integer number -> NODES.numberNode(number);
            case Long number -> NODES.numberNode(number);
            case Double number -> NODES.numberNode(number);
            case Float number -> NODES.numberNode(number);
            case Boolean bool -> NODES.booleanNode(bool);
            case Enum<?> symbol -> NODES.textNode(symbol.name());
            case ByteBuffer bytes -> NODES.binaryNode(bytes.duplicate().array());
            case Collection<?> items -> {
                var array = NODES.arrayNode();
                items.forEach(item -> array.add(value(item)));
                yield array;
            }
            case Map<?, ?> map -> {
                ObjectNode object = NODES.objectNode();
                map.forEach((k, v) -> object.set(k.toString(), value(v)));
                yield object;
            }
            default -> NODES.textNode(value.toString());
        };
    }
}
