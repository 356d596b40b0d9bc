package io.eventgate.registry;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/** Confluent's compatibility levels, each checked with Avro's own reader/writer compatibility rules. */
public enum CompatibilityLevel {
    NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE;

    /**
     * Why {@code candidate} may not follow {@code existing} (oldest first) under this level; empty when it may.
     * BACKWARD: the candidate reads data written with the latest schema. FORWARD: the latest reads the
     * candidate's data. FULL: both. The transitive levels check every earlier version, not only the latest.
     */
    public List<String> violations(Schema candidate, List<Schema> existing) {
        if (this == NONE || existing.isEmpty()) {
            return List.of();
        }
        List<Schema> against = name().endsWith("_TRANSITIVE") ? existing : List.of(existing.get(existing.size() - 1));
        boolean backward = this == BACKWARD || this == BACKWARD_TRANSITIVE || this == FULL || this == FULL_TRANSITIVE;
        boolean forward = this == FORWARD || this == FORWARD_TRANSITIVE || this == FULL || this == FULL_TRANSITIVE;
        return against.stream().<String>mapMulti((previous, out) -> {
            if (backward) {
                check(candidate, previous, "the new schema cannot read data written with an earlier one").forEach(out);
            }
            if (forward) {
                check(previous, candidate, "an earlier schema cannot read data written with the new one").forEach(out);
            }
        }).toList();
    }

    private static List<String> check(Schema reader, Schema writer, String what) {
        SchemaCompatibility.SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (result.getType() == SchemaCompatibilityType.COMPATIBLE) {
            return List.of();
        }
        return result.getResult().getIncompatibilities().stream()
                .map(i -> what + ": " + i.getType() + " at " + i.getLocation() + " (" + i.getMessage() + ")")
                .toList();
    }

    /** The level named by a client, case-insensitively; null when the name is unknown. */
    public static CompatibilityLevel parse(String name) {
        if (name == null) {
            return null;
        }
        try {
            return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
