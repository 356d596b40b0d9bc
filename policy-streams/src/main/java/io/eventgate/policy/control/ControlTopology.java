package io.eventgate.policy.control;

import java.util.List;

import io.eventgate.schemas.LimitKeys;
import io.eventgate.avro.CommandRejection;
import io.eventgate.avro.LimitDirective;
import io.eventgate.avro.PolicyCommand;
import io.eventgate.avro.PolicyEntity;
import io.eventgate.policy.nodes.NodeConfigs;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * Control commands to validated policies: every command on {@code gateway.control} is checked against
 * the entities in force and becomes either a versioned PolicyEntity (or a tombstone) on
 * {@code gateway.policies} (an operator limit also becomes a LimitDirective on {@code gateway.limits}), or a
 * CommandRejection on {@code gateway.control-rejections}. All commands
 * pass through one partition so that every check sees every entity and versions are one sequence.
 */
public final class ControlTopology {
    static final String ENTITIES_STORE = "policy-entities";
    static final String VERSION_STORE = "policy-version";

    private ControlTopology() {
    }

    public static Topology build(Topics topics, ContractSerdes serdes) {
        StreamsBuilder builder = new StreamsBuilder();
        NodeConfigs.addTo(builder, topics, serdes);
        addTo(builder, topics, serdes);
        return builder.build();
    }

    /** Adds the control topology to an application's builder, which must have the {@link NodeConfigs} store. */
    public static void addTo(StreamsBuilder builder, Topics topics, ContractSerdes serdes) {
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ENTITIES_STORE),
                Serdes.String(), serdes.<PolicyEntity>serde(Topic.POLICIES)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(VERSION_STORE), Serdes.String(), Serdes.Long()));

        KStream<String, CommandValidator.Verdict> verdicts = builder
                .stream(topics.control(), Consumed.with(Serdes.String(), serdes.<PolicyCommand>serde(Topic.CONTROL)).withName("control-commands"))
                .repartition(Repartitioned.<String, PolicyCommand>with(Serdes.String(), serdes.serde(Topic.CONTROL))
                        .withNumberOfPartitions(1).withName("control-in-order"))
                .process(ControlProcessor::new, Named.as("validate-command"), ENTITIES_STORE, VERSION_STORE);

        verdicts.filter((key, verdict) -> verdict instanceof CommandValidator.Accepted, Named.as("accepted"))
                // an instruction's tombstone follows it, and compaction removes both
                .flatMapValues(verdict -> {
                    CommandValidator.Accepted accepted = (CommandValidator.Accepted) verdict;
                    return accepted.instruction()
                            ? java.util.Arrays.asList(accepted.entity(), null) : java.util.Collections.singletonList(accepted.entity());
                }, Named.as("entity-or-tombstone"))
                .to(topics.policies(), Produced.with(Serdes.String(), serdes.<PolicyEntity>serde(Topic.POLICIES)).withName("policies"));
        verdicts.filter((key, verdict) -> verdict instanceof CommandValidator.Accepted accepted && accepted.scope() != null, Named.as("operator-limits"))
                .flatMap((key, verdict) -> {
                    CommandValidator.Accepted accepted = (CommandValidator.Accepted) verdict;
                    KeyValue<String, LimitDirective> operator = KeyValue.pair(LimitKeys.of(accepted.scope(), LimitKeys.OPERATOR), accepted.directive());
                    // restoring a canary: the operator's word lifts the detector's rollback of it
                    return accepted.liftsDetector()
                            ? List.of(operator, KeyValue.pair(LimitKeys.of(accepted.scope(), LimitKeys.ANOMALY_DETECTOR), (LimitDirective) null))
                            : List.of(operator);
                }, Named.as("directive-by-scope-and-source"))
                .to(topics.limits(), Produced.with(Serdes.String(), serdes.<LimitDirective>serde(Topic.LIMITS)).withName("operator-directives"));
        verdicts.filter((key, verdict) -> verdict instanceof CommandValidator.Rejected, Named.as("rejected"))
                .mapValues(verdict -> ((CommandValidator.Rejected) verdict).rejection(), Named.as("rejection"))
                .to(topics.controlRejections(), Produced.with(Serdes.String(), serdes.<CommandRejection>serde(Topic.CONTROL_REJECTIONS))
                        .withName("control-rejections"));
    }
}
