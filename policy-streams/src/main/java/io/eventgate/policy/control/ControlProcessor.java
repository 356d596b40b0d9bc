package io.eventgate.policy.control;

import io.eventgate.avro.PolicyCommand;
import io.eventgate.avro.PolicyEntity;
import io.eventgate.policy.nodes.NodeConfigs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Validates each command against the entities in force (a state store, and the static entities the edge nodes
 * declare, which a control entity of the same key overrides) and applies the accepted ones to the store.
 */
final class ControlProcessor implements Processor<String, PolicyCommand, String, CommandValidator.Verdict> {
    private static final String VERSION_KEY = "version";

    private final CommandValidator validator = new CommandValidator();
    private ProcessorContext<String, CommandValidator.Verdict> context;
    private KeyValueStore<String, PolicyEntity> entities;
    private KeyValueStore<String, Long> versions;
    private NodeConfigs declared;

    @Override
    public void init(ProcessorContext<String, CommandValidator.Verdict> context) {
        this.context = context;
        this.entities = context.getStateStore(ControlTopology.ENTITIES_STORE);
        this.versions = context.getStateStore(ControlTopology.VERSION_STORE);
        this.declared = new NodeConfigs(context.getStateStore(NodeConfigs.STORE));
    }

    @Override
    public void process(Record<String, PolicyCommand> record) {
        if (record.value() == null) {
            return; // compaction of the control topic removes commands, never entities
        }
        long next = Optional.ofNullable(versions.get(VERSION_KEY)).orElse(0L) + 1;
        String key = record.key() == null ? "" : record.key();
        CommandValidator.Verdict verdict = validator.validate(key, record.value(), state(), next);
        if (verdict instanceof CommandValidator.Accepted accepted && !accepted.instruction()) {
            if (accepted.entity() == null) {
                entities.delete(accepted.entityKey());
            } else {
                entities.put(accepted.entityKey(), accepted.entity());
            }
            versions.put(VERSION_KEY, next);
        }
        context.forward(record.withKey(key).withValue(verdict));
    }

    private EntityState state() {
        return new EntityState() {
            @Override
            public Optional<PolicyEntity> get(String entityKey) {
                PolicyEntity controlled = entities.get(entityKey);
                return controlled != null ? Optional.of(controlled) : declared.get(entityKey);
            }

            @Override
            public List<PolicyEntity> withPrefix(String prefix) {
                Map<String, PolicyEntity> found = new LinkedHashMap<>();
                declared.withPrefix(prefix).forEach(entity -> found.put(entity.getEntityKey(), entity));
                try (KeyValueIterator<String, PolicyEntity> it = entities.prefixScan(prefix, Serdes.String().serializer())) {
                    it.forEachRemaining(kv -> found.put(kv.key, kv.value));
                }
                return new ArrayList<>(found.values());
            }
        };
    }
}
