package io.eventgate.policy.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventgate.avro.CommandAction;
import io.eventgate.avro.CommandRejection;
import io.eventgate.avro.DirectiveKind;
import io.eventgate.avro.LimitDirective;
import io.eventgate.avro.PolicyCommand;
import io.eventgate.avro.PolicyEntity;
import io.eventgate.policy.model.DetectorTuning;
import io.eventgate.policy.model.OperatorLimitSettings;
import io.eventgate.policy.model.RouteSettings;
import io.eventgate.settings.SettingsException;
import io.eventgate.settings.SettingsLoader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a control command may change the policies: its key names its entity, its spec binds to
 * the entity's record (so every field is checked as the edge will check it), and it fits the entities
 * in force (a route's pools exist; a pool in use is not deleted). Pure: the same commands against the
 * same state give the same verdicts, so replaying the control topic gives the same policies.
 */
public final class CommandValidator {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The scopes an operator limit may target. */
    private static final java.util.regex.Pattern SCOPE = java.util.regex.Pattern.compile("(consumer|route):[A-Za-z0-9._-]{1,64}|client:[0-9a-fA-F.:]{2,45}");

    /** What the validator decided. */
    public sealed interface Verdict permits Accepted, Rejected {
    }

    /**
     * The entity to publish under {@code entityKey} (null for a deletion, a tombstone); for an operator limit,
     * also the directive to publish under {@code scope} on gateway.limits (null when the limit is lifted).
     */
    public record Accepted(String entityKey, PolicyEntity entity, String scope, LimitDirective directive) implements Verdict {
        public Accepted(String entityKey, PolicyEntity entity) {
            this(entityKey, entity, null, null);
        }
    }

    public record Rejected(CommandRejection rejection) implements Verdict {
    }

    public Verdict validate(String key, PolicyCommand command, EntityState state, long nextVersion) {
        Optional<EntityKind> kind = EntityKind.of(command.getEntityType());
        if (kind.isEmpty()) {
            return reject(key, command, "entityType", "entity type " + command.getEntityType()
                    + " is not accepted by this version of policy-streams (accepted: ROUTE, UPSTREAM_POOL, PLAN, LIMIT, DETECTOR_SETTINGS)");
        }
        String expectedKey = kind.get().key(command.getEntityId());
        if (!expectedKey.equals(key)) {
            return reject(key, command, "entityId", "the record key '" + key + "' does not name entity '" + expectedKey + "'");
        }
        return command.getAction() == CommandAction.DELETE
                ? delete(key, command, kind.get(), state)
                : upsert(key, command, kind.get(), state, nextVersion);
    }

    private Verdict delete(String key, PolicyCommand command, EntityKind kind, EntityState state) {
        if (state.get(key).isEmpty()) {
            return reject(key, command, null, "there is no " + key + " to delete");
        }
        if (kind == EntityKind.UPSTREAM_POOL) {
            List<String> users = routesUsingPool(command.getEntityId(), state);
            if (!users.isEmpty()) {
                return reject(key, command, null, "pool '" + command.getEntityId() + "' is still used by routes " + users);
            }
        }
        return kind == EntityKind.LIMIT ? new Accepted(key, null, command.getEntityId(), null) : new Accepted(key, null);
    }

    private Verdict upsert(String key, PolicyCommand command, EntityKind kind, EntityState state, long nextVersion) {
        if (command.getSpec() == null || command.getSpec().isBlank()) {
            return reject(key, command, "spec", "an upsert needs a spec");
        }
        JsonNode tree;
        try {
            tree = JSON.readTree(command.getSpec());
        } catch (JsonProcessingException e) {
            return reject(key, command, "spec", "the spec is not JSON: " + e.getOriginalMessage());
        }
        Record spec;
        try {
            spec = SettingsLoader.bind(tree, "spec", kind.spec());
        } catch (SettingsException e) {
            return reject(key, command, e.path().isEmpty() ? "spec" : e.path(), e.problem());
        }
        if (spec instanceof RouteSettings route) {
            if (!route.id().equals(command.getEntityId())) {
                return reject(key, command, "id", "the route's id '" + route.id() + "' must equal the entity id '" + command.getEntityId() + "'");
            }
            for (int i = 0; i < route.upstreams().size(); i++) {
                String pool = route.upstreams().get(i).pool();
                if (state.get(EntityKind.UPSTREAM_POOL.key(pool)).isEmpty()) {
                    return reject(key, command, "upstreams[" + i + "].pool", "pool '" + pool + "' does not exist");
                }
            }
        }
        if (spec instanceof DetectorTuning && !DetectorTuning.ENTITY_ID.equals(command.getEntityId())) {
            return reject(key, command, "entityId", "the anomaly detector follows detectors:" + DetectorTuning.ENTITY_ID + " only");
        }
        if (spec instanceof OperatorLimitSettings limit) {
            if (!SCOPE.matcher(command.getEntityId()).matches()) {
                return reject(key, command, "entityId", "'" + command.getEntityId() + "' is not a scope: write consumer:ID, route:ID or client:IP");
            }
            if (!limit.expiresAt().isAfter(command.getIssuedAt())) {
                return reject(key, command, "expiresAt", "the limit expires at " + limit.expiresAt() + ", before the command was issued");
            }
        }
        String normalized = tree.toString();
        PolicyEntity entity = PolicyEntity.newBuilder()
                .setEntityKey(key)
                .setEntityType(kind.entityType())
                .setEntityId(command.getEntityId())
                .setVersion(nextVersion)
                .setSpec(normalized)
                .setChecksum(sha256(normalized))
                .setSourceCommandId(command.getCommandId())
                .setValidatedAt(command.getIssuedAt())
                .build();
        if (spec instanceof OperatorLimitSettings limit) {
            LimitDirective directive = LimitDirective.newBuilder()
                    .setScope(command.getEntityId())
                    .setKind(DirectiveKind.valueOf(limit.kind()))
                    .setSource("operator:" + command.getIssuedBy())
                    .setValue(limit.ratePerSecond())
                    .setBurst(limit.burst())
                    .setReason(limit.reason())
                    .setIssuedAt(command.getIssuedAt())
                    .setExpiresAt(limit.expiresAt())
                    .setVersion(nextVersion)
                    .build();
            return new Accepted(key, entity, command.getEntityId(), directive);
        }
        return new Accepted(key, entity);
    }

    private static List<String> routesUsingPool(String pool, EntityState state) {
        List<String> users = new ArrayList<>();
        for (PolicyEntity route : state.withPrefix("route:")) {
            try {
                RouteSettings settings = SettingsLoader.bind(JSON.readTree(route.getSpec()), route.getEntityKey(), RouteSettings.class);
                if (settings.upstreams().stream().anyMatch(d -> d.pool().equals(pool))) {
                    users.add(settings.id());
                }
            } catch (JsonProcessingException | SettingsException e) {
                throw new IllegalStateException("stored entity " + route.getEntityKey() + " no longer parses: " + e.getMessage(), e);
            }
        }
        return users;
    }

    private static Rejected reject(String key, PolicyCommand command, String field, String reason) {
        return new Rejected(CommandRejection.newBuilder()
                .setCommandId(command.getCommandId())
                .setEntityKey(key)
                .setRejectedAt(command.getIssuedAt())
                .setField(field)
                .setReason(reason)
                .setIssuedBy(command.getIssuedBy())
                .build());
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
