package io.eventgate.policy.control;

import io.eventgate.avro.PolicyEntity;
import java.util.List;
import java.util.Optional;

/** The policy entities in force, as the validator sees them. */
public interface EntityState {
    Optional<PolicyEntity> get(String entityKey);

    /** Every entity whose key starts with {@code prefix} (e.g. {@code route:}). */
    List<PolicyEntity> withPrefix(String prefix);
}
