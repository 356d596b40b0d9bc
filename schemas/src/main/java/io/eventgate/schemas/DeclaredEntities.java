package io.eventgate.schemas;

import io.eventgate.avro.NodeConfig;
import io.eventgate.avro.PolicyEntity;
import io.eventgate.avro.PolicyEntityType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The static entities the edge nodes declare on {@code gateway.node-config}, read as the control topic's entities are:
 * each a PolicyEntity of version 0 whose source names the nodes declaring it ({@code yaml:edge-1,edge-2}); the first
 * node's (by id) when they declare it differently. What policy-streams validates commands against, and what ctl and the
 * analytics catalog show beside the control topic's entities.
 */
public final class DeclaredEntities {
    private DeclaredEntities() {
    }

    /** The static entities of the given node configs by key. */
    public static Map<String, PolicyEntity> of(Map<String, NodeConfig> configsByNode) {
        Map<String, NodeConfig> byNode = new TreeMap<>(configsByNode);
        Map<String, List<String>> nodes = declaringNodes(byNode);
        Map<String, PolicyEntity> entities = new LinkedHashMap<>();
        byNode.values().forEach(config -> config.getEntities().forEach(entity -> entities.computeIfAbsent(entity.getEntityKey(), key ->
                PolicyEntity.newBuilder().setEntityKey(key).setEntityType(PolicyEntityType.valueOf(entity.getEntityType()))
                        .setEntityId(entity.getEntityId()).setVersion(0).setSpec(entity.getSpec()).setChecksum(config.getChecksum())
                        .setSourceCommandId("yaml:" + String.join(",", nodes.get(key))).setValidatedAt(config.getPublishedAt()).build())));
        return entities;
    }

    /** For each static entity's key, the ids of the nodes that declare it, in order. */
    public static Map<String, List<String>> declaringNodes(Map<String, NodeConfig> configsByNode) {
        Map<String, List<String>> nodes = new LinkedHashMap<>();
        new TreeMap<>(configsByNode).forEach((node, config) -> config.getEntities()
                .forEach(entity -> nodes.computeIfAbsent(entity.getEntityKey(), k -> new ArrayList<>()).add(node)));
        return nodes;
    }
}
