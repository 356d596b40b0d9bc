package io.eventgate.policy.quota;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventgate.avro.DirectiveKind;
import io.eventgate.avro.LimitDirective;
import io.eventgate.avro.PolicyEntity;
import io.eventgate.policy.model.PlanSettings;
import io.eventgate.settings.SettingsLoader;
import java.time.Instant;
import java.util.logging.Logger;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/** Turns a day's usage that reached the plan's quota into one QUOTA_EXHAUSTED directive for that day. */
final class QuotaProcessor implements Processor<Windowed<String>, String, String, LimitDirective> {
    private static final Logger LOG = Logger.getLogger(QuotaProcessor.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private ProcessorContext<String, LimitDirective> context;
    private KeyValueStore<String, ValueAndTimestamp<PolicyEntity>> plans;
    private KeyValueStore<String, Long> announced;

    @Override
    public void init(ProcessorContext<String, LimitDirective> context) {
        this.context = context;
        this.plans = context.getStateStore(QuotaTopology.PLANS_STORE);
        this.announced = context.getStateStore(QuotaTopology.ANNOUNCED_STORE);
    }

    @Override
    public void process(Record<Windowed<String>, String> record) {
        if (record.value() == null) {
            return;
        }
        String consumer = record.key().key();
        long dayStart = record.key().window().start();
        String announcedKey = consumer + "@" + dayStart;
        if (announced.get(announcedKey) != null) {
            return; // once a day is announced, later requests of that day need no plan lookup
        }
        QuotaUsage usage = QuotaUsage.parse(record.value());
        long quota = dailyQuota(usage.plan());
        if (quota <= 0 || usage.count() < quota) {
            return;
        }
        announced.put(announcedKey, usage.count());
        Instant reset = Instant.ofEpochMilli(record.key().window().end());
        context.forward(new Record<>("consumer:" + consumer, LimitDirective.newBuilder()
                .setScope("consumer:" + consumer)
                .setKind(DirectiveKind.QUOTA_EXHAUSTED)
                .setSource("policy-streams")
                .setValue(null)
                .setReason("consumer " + consumer + " used its daily quota of " + quota + " requests (plan " + usage.plan() + ")")
                .setIssuedAt(Instant.ofEpochMilli(record.timestamp()))
                .setExpiresAt(reset)
                .setVersion(dayStart)
                .build(), record.timestamp()));
    }

    private long dailyQuota(String plan) {
        ValueAndTimestamp<PolicyEntity> entity = plans.get("plan:" + plan);
        if (entity == null || entity.value() == null) {
            return 0;
        }
        try {
            return SettingsLoader.bind(JSON.readTree(entity.value().getSpec()), "plan:" + plan, PlanSettings.class).dailyQuota();
        } catch (Exception e) {
            LOG.warning("plan " + plan + " on the policies topic does not parse: " + e.getMessage());
            return 0;
        }
    }
}
