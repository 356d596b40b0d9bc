package io.eventgate.schemas;

import java.util.HashSet;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro refuses to instantiate classes by schema name unless they are trusted; this trusts exactly the
 * classes generated from the contract's schemas (records and enums), and nothing else.
 */
public final class TrustedContractClasses {
    private static boolean installed;

    private TrustedContractClasses() {
    }

    /** Idempotent; call before Avro reads or writes contract classes by schema name. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        ClassSecurityValidator.Builder trusted = ClassSecurityValidator.builder();
        Set<String> names = new HashSet<>();
        for (Topic topic : Topic.values()) {
            collectNamedTypes(topic.valueSchema(), names);
        }
        names.forEach(trusted::add);
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(), trusted.build()));
        installed = true;
    }

    private static void collectNamedTypes(Schema schema, Set<String> names) {
        switch (schema.getType()) {
            case RECORD -> {
                if (names.add(schema.getFullName())) {
                    schema.getFields().forEach(f -> collectNamedTypes(f.schema(), names));
                }
            }
            case ENUM, FIXED -> names.add(schema.getFullName());
            case ARRAY -> collectNamedTypes(schema.getElementType(), names);
            case MAP -> collectNamedTypes(schema.getValueType(), names);
            case UNION -> schema.getTypes().forEach(t -> collectNamedTypes(t, names));
            default -> {
            }
        }
    }
}
