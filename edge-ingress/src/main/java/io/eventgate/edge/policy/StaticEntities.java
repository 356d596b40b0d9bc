package io.eventgate.edge.policy;

import io.eventgate.avro.NodeConfig;
import io.eventgate.avro.StaticEntity;
import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.policy.model.RouteSettings;
import io.eventgate.settings.SettingsLoader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The routes, pools, plans and consumers of a node's configuration file as a {@link NodeConfig} for
 * {@code gateway.node-config}: each with the key a control entity of its kind has and its spec in the form a control
 * command's spec takes, so that policy-streams can check commands and count quotas against them as against its own.
 */
public final class StaticEntities {
    private StaticEntities() {
    }

    public static NodeConfig of(EdgeSettings settings, Instant at) {
        List<StaticEntity> entities = new ArrayList<>();
        add(entities, "pool:", "UPSTREAM_POOL", new TreeMap<>(settings.pools()));
        for (RouteSettings route : settings.routes()) {
            entities.add(entity("route:", "ROUTE", route.id(), route));
        }
        add(entities, "plan:", "PLAN", new TreeMap<>(settings.plans()));
        add(entities, "consumer:", "CONSUMER", new TreeMap<>(settings.consumers()));
        return NodeConfig.newBuilder().setNodeId(settings.nodeId()).setPublishedAt(at).setChecksum(checksum(entities)).setEntities(entities).build();
    }

    private static void add(List<StaticEntity> entities, String prefix, String type, Map<String, ?> byId) {
        byId.forEach((id, spec) -> entities.add(entity(prefix, type, id, spec)));
    }

    private static StaticEntity entity(String prefix, String type, String id, Object spec) {
        return StaticEntity.newBuilder().setEntityKey(prefix + id).setEntityType(type).setEntityId(id).setSpec(SettingsLoader.toJson(spec)).build();
    }

    private static String checksum(List<StaticEntity> entities) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (StaticEntity entity : entities) {
                digest.update(entity.getEntityKey().getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                digest.update(entity.getSpec().getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
