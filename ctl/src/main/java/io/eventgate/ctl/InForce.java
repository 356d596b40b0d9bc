package io.eventgate.ctl;

import io.eventgate.avro.NodeConfig;
import io.eventgate.avro.NodeHeartbeat;
import io.eventgate.avro.PolicyEntity;
import io.eventgate.schemas.DeclaredEntities;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One entity in force on the edge nodes, as {@code ctl get} shows it: from the control topic ({@code control}, its
 * version, the nodes whose last heartbeat applies that version or a later one) or from the nodes' own configuration
 * files ({@code yaml}, version 0, the nodes that declare it). A control entity overrides a static one of the same key
 * on every node, so a key appears once.
 */
record InForce(String key, String id, String source, long version, List<String> nodes, String spec) {

    static List<InForce> of(Map<String, PolicyEntity> policies, Map<String, NodeConfig> nodeConfigs, Map<String, NodeHeartbeat> heartbeats) {
        Map<String, InForce> byKey = new TreeMap<>();
        Map<String, List<String>> declaring = DeclaredEntities.declaringNodes(nodeConfigs);
        DeclaredEntities.of(nodeConfigs).forEach((key, entity) ->
                byKey.put(key, new InForce(key, entity.getEntityId(), "yaml", 0, declaring.get(key), entity.getSpec())));
        policies.forEach((key, entity) -> {
            List<String> applied = heartbeats.values().stream().filter(beat -> beat.getAppliedPolicyVersion() >= entity.getVersion())
                    .map(NodeHeartbeat::getNodeId).sorted().toList();
            byKey.put(key, new InForce(key, entity.getEntityId(), "control", entity.getVersion(), applied, entity.getSpec()));
        });
        return List.copyOf(byKey.values());
    }
}
