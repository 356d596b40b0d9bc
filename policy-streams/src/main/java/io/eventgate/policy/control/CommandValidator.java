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
import io.eventgate.policy.model.ConsumerSettings;
import io.eventgate.policy.model.DetectorTuning;
import io.eventgate.policy.model.GlobalPolicy;
import io.eventgate.policy.model.OperatorLimitSettings;
import io.eventgate.policy.model.PlanSettings;
import io.eventgate.policy.model.RouteSettings;
import io.eventgate.settings.SettingsException;
import io.eventgate.settings.SettingsLoader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides whether a control command may change the policies: its key names its entity, its spec binds to
 * the entity's record (so every field is checked as the edge will check it), and it fits the entities
 * in force: a route's pools and a consumer's plan exist, a pool or plan in use is not deleted, an API key or a
 * certificate identity belongs to one consumer, and no route or plan loosens the global policy (nor does a new global policy
 * leave routes or plans in force that loosen it). Pure: the same commands against the
 * same state give the same verdicts, so replaying the control topic gives the same policies.
 */
public final class CommandValidator {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The scopes an operator limit may target. */
    private static final java.util.regex.Pattern SCOPE = java.util.regex.Pattern.compile("(consumer|route):[A-Za-z0-9._-]{1,64}|client:[0-9a-fA-F.:]{2,45}");
    /** The scope of one variant (destination pool) of a route's weighted split, which the anomaly detector may roll back. */
    private static final java.util.regex.Pattern VARIANT = java.util.regex.Pattern.compile("route:[A-Za-z0-9._-]{1,64}@variant:[A-Za-z0-9._-]{1,64}");

    /** What the validator decided. */
    public sealed interface Verdict permits Accepted, Rejected {
    }

    /**
     * The entity to publish under {@code entityKey} (null for a deletion, a tombstone); for an operator limit,
     * also the directive to publish under {@code scope} on gateway.limits (null when the limit is lifted), and whether the
     * anomaly detector's directive on the scope is lifted too ({@code liftsDetector}: an operator restoring a rolled-back canary).
     */
    public record Accepted(String entityKey, PolicyEntity entity, String scope, LimitDirective directive, boolean liftsDetector) implements Verdict {
        public Accepted(String entityKey, PolicyEntity entity) {
            this(entityKey, entity, null, null, false);
        }

        public Accepted(String entityKey, PolicyEntity entity, String scope, LimitDirective directive) {
            this(entityKey, entity, scope, directive, false);
        }

        /**
         * Whether the entity is an instruction, not state (a cache purge, a canary's restore): published, then tombstoned,
         * and never kept among the entities in force.
         */
        public boolean instruction() {
            return entity != null && (entity.getEntityType() == io.eventgate.avro.PolicyEntityType.CACHE_PURGE || liftsDetector);
        }
    }

    public record Rejected(CommandRejection rejection) implements Verdict {
    }

    public Verdict validate(String key, PolicyCommand command, EntityState state, long nextVersion) {
        Optional<EntityKind> kind = EntityKind.of(command.getEntityType());
        if (kind.isEmpty()) {
            return reject(key, command, "entityType", "entity type " + command.getEntityType()
                    + " is not accepted by this version of policy-streams (accepted: ROUTE, UPSTREAM_POOL, PLAN, CONSUMER, GLOBAL_POLICY, LIMIT, DETECTOR_SETTINGS, CACHE_PURGE, WEBHOOK)");
        }
        String expectedKey = kind.get().key(command.getEntityId());
        if (!expectedKey.equals(key)) {
            return reject(key, command, "entityId", "the record key '" + key + "' does not name entity '" + expectedKey + "'");
        }
        if (kind.get() == EntityKind.CACHE_PURGE && command.getAction() == CommandAction.DELETE) {
            return reject(key, command, "action", "a purge is not kept, so there is nothing to delete: send it as an UPSERT");
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
        if (kind == EntityKind.PLAN) {
            List<String> holders = consumers(state).entrySet().stream().filter(c -> c.getValue().plan().equals(command.getEntityId()))
                    .map(Map.Entry::getKey).toList();
            if (!holders.isEmpty()) {
                return reject(key, command, null, "plan '" + command.getEntityId() + "' is still held by consumers " + holders);
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
            if (route.mirror() != null && state.get(EntityKind.UPSTREAM_POOL.key(route.mirror().pool())).isEmpty()) {
                return reject(key, command, "mirror.pool", "pool '" + route.mirror().pool() + "' does not exist");
            }
        }
        Optional<Rejected> loosening = loosening(key, command, spec, state);
        if (loosening.isPresent()) {
            return loosening.get();
        }
        if (spec instanceof ConsumerSettings consumer) {
            if (state.get(EntityKind.PLAN.key(consumer.plan())).isEmpty()) {
                return reject(key, command, "plan", "plan '" + consumer.plan() + "' does not exist on gateway.policies nor in any edge node's configuration");
            }
            for (var other : consumers(state).entrySet()) {
                if (other.getKey().equals(command.getEntityId())) {
                    continue;
                }
                for (int i = 0; i < consumer.apiKeys().size(); i++) {
                    if (other.getValue().apiKeys().contains(consumer.apiKeys().get(i))) {
                        return reject(key, command, "apiKeys[" + i + "]", "this key already belongs to another consumer");
                    }
                }
                List<String> theirs = other.getValue().certificates().stream().map(ConsumerSettings::certificateIdentity).toList();
                for (int i = 0; i < consumer.certificates().size(); i++) {
                    if (theirs.contains(ConsumerSettings.certificateIdentity(consumer.certificates().get(i)))) {
                        return reject(key, command, "certificates[" + i + "]", "this certificate identity already names another consumer");
                    }
                }
            }
        }
        if (spec instanceof DetectorTuning && !DetectorTuning.ENTITY_ID.equals(command.getEntityId())) {
            return reject(key, command, "entityId", "the anomaly detector follows detectors:" + DetectorTuning.ENTITY_ID + " only");
        }
        if (spec instanceof OperatorLimitSettings limit && limit.restores()) {
            if (!VARIANT.matcher(command.getEntityId()).matches()) {
                return reject(key, command, "entityId", "'" + command.getEntityId() + "' is not a variant: a RESTORE names route:ID@variant:POOL");
            }
        } else if (spec instanceof OperatorLimitSettings limit) {
            if (!SCOPE.matcher(command.getEntityId()).matches()) {
                return reject(key, command, "entityId", "'" + command.getEntityId() + "' is not a scope: write consumer:ID, route:ID or client:IP");
            }
            if (limit.global() && !command.getEntityId().startsWith("consumer:")) {
                return reject(key, command, "global", "a global limit is divided among the edge nodes per consumer: its scope must be consumer:ID");
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
        if (spec instanceof OperatorLimitSettings limit && limit.restores()) {
            // an instruction, not state: published then tombstoned, and both directives on the variant are lifted
            return new Accepted(key, entity, command.getEntityId(), null, true);
        }
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
                    .setGlobal(limit.global())
                    .build();
            return new Accepted(key, entity, command.getEntityId(), directive);
        }
        return new Accepted(key, entity);
    }

    /**
     * A route or plan that would loosen the global policy in force or break its governance rules, or a global policy that
     * routes and plans in force already loosen or break.
     */
    private static Optional<Rejected> loosening(String key, PolicyCommand command, Record spec, EntityState state) {
        if (spec instanceof GlobalPolicy global) {
            if (!GlobalPolicy.ENTITY_ID.equals(command.getEntityId())) {
                return Optional.of(reject(key, command, "entityId", "there is one global policy: global:" + GlobalPolicy.ENTITY_ID));
            }
            List<String> offenders = new ArrayList<>();
            for (PolicyEntity route : state.withPrefix("route:")) {
                RouteSettings settings = bind(route, RouteSettings.class);
                global.loosenedBy(settings).forEach(reason -> offenders.add(route.getEntityKey() + " " + reason));
                global.governance().check(settings).forEach(violation -> offenders.add(route.getEntityKey() + " breaks " + violation));
            }
            for (PolicyEntity plan : state.withPrefix("plan:")) {
                global.loosenedBy(bind(plan, PlanSettings.class)).ifPresent(reason -> offenders.add(plan.getEntityKey() + " " + reason));
            }
            return offenders.isEmpty() ? Optional.empty()
                    : Optional.of(reject(key, command, null, "entities in force would loosen this global policy; change them first: " + offenders));
        }
        Optional<PolicyEntity> inForce = state.get(EntityKind.GLOBAL_POLICY.key(GlobalPolicy.ENTITY_ID));
        if (inForce.isEmpty()) {
            return Optional.empty();
        }
        GlobalPolicy global = bind(inForce.get(), GlobalPolicy.class);
        if (spec instanceof RouteSettings route) {
            List<io.eventgate.policy.model.Governance.Violation> broken = global.governance().check(route);
            if (!broken.isEmpty()) {
                io.eventgate.policy.model.Governance.Violation first = broken.getFirst();
                return Optional.of(reject(key, command, first.field(), "it breaks the governance " + broken.stream().map(Object::toString)
                        .collect(java.util.stream.Collectors.joining("; "))));
            }
        }
        List<String> reasons = spec instanceof RouteSettings route ? global.loosenedBy(route)
                : spec instanceof PlanSettings plan ? global.loosenedBy(plan).stream().toList() : List.of();
        if (reasons.isEmpty()) {
            return Optional.empty();
        }
        String reason = reasons.get(0);
        return Optional.of(reject(key, command, reason.substring(0, reason.indexOf(':')), "it would loosen the global policy: " + reason));
    }

    private static Map<String, ConsumerSettings> consumers(EntityState state) {
        Map<String, ConsumerSettings> consumers = new java.util.TreeMap<>();
        for (PolicyEntity consumer : state.withPrefix("consumer:")) {
            consumers.put(consumer.getEntityId(), bind(consumer, ConsumerSettings.class));
        }
        return consumers;
    }

    /** An entity in force, which was valid when it was accepted. */
    private static <T> T bind(PolicyEntity entity, Class<T> type) {
        try {
            return SettingsLoader.bindJson(entity.getSpec(), entity.getEntityKey(), type);
        } catch (SettingsException e) {
            throw new IllegalStateException("stored entity " + entity.getEntityKey() + " no longer parses: " + e.getMessage(), e);
        }
    }

    private static List<String> routesUsingPool(String pool, EntityState state) {
        List<String> users = new ArrayList<>();
        for (PolicyEntity route : state.withPrefix("route:")) {
            RouteSettings settings = bind(route, RouteSettings.class);
            if (settings.upstreams().stream().anyMatch(d -> d.pool().equals(pool)) || settings.mirror() != null && settings.mirror().pool().equals(pool)) {
                users.add(settings.id());
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
