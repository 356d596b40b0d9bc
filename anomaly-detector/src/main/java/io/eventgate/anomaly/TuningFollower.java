package io.eventgate.anomaly;

import io.eventgate.avro.PolicyEntity;
import io.eventgate.policy.model.DetectorTuning;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.settings.SettingsLoader;
import io.eventgate.schemas.follow.TopicFollower;
import java.util.logging.Logger;

/**
 * Follows the operators' tuning of the detector: entity {@code detectors:anomaly} on {@code gateway.policies},
 * validated by policy-streams, read from the start of the topic and then as it changes. A tombstone returns
 * the detector to its own settings; a spec this version cannot read is logged and the last good one kept.
 */
final class TuningFollower implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TuningFollower.class.getName());
    static final String KEY = "detectors:" + DetectorTuning.ENTITY_ID;

    private final TopicFollower<PolicyEntity> follower;
    private volatile DetectorTuning current;

    TuningFollower(String bootstrapServers, Topics topics, ContractSerdes serdes) {
        this.follower = new TopicFollower<>(topics.policies(), bootstrapServers, "anomaly-detector-tuning",
                serdes.<PolicyEntity>serde(Topic.POLICIES).deserializer(), (key, entity) -> {
                    if (KEY.equals(key)) {
                        apply(entity);
                    }
                }, () -> { }, () -> { });
    }

    /** The latest tuning, or null while operators have sent none. */
    DetectorTuning current() {
        return current;
    }

    private void apply(PolicyEntity entity) {
        if (entity == null) {
            current = null;
            LOG.info("detector tuning deleted: the detector's own settings are in force");
            return;
        }
        try {
            current = SettingsLoader.bindJson(entity.getSpec(), "spec", DetectorTuning.class);
            LOG.info("detector tuning version " + entity.getVersion() + " received");
        } catch (Exception e) {
            LOG.warning("detector tuning version " + entity.getVersion() + " cannot be read, keeping the previous one: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        follower.close();
    }
}
