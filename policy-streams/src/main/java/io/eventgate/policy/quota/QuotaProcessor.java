package io.eventgate.policy.quota;

import io.eventgate.avro.DirectiveKind;
import io.eventgate.avro.LimitDirective;
import io.eventgate.avro.PolicyEntity;
import io.eventgate.avro.RequestEvent;
import io.eventgate.policy.model.PlanSettings;
import io.eventgate.policy.nodes.NodeConfigs;
import io.eventgate.settings.SettingsLoader;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import io.eventgate.schemas.LimitKeys;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Counts a consumer's billable requests per calendar day and month, and when a count crosses a warning
 * threshold or the quota of the consumer's plan, publishes the consumer's quota state: QUOTA_EXHAUSTED until
 * the latest reset among its exhausted periods, else QUOTA_WARNING with the largest fraction used and the requests
 * left before the tightest quota runs out (for the edges to count down). One
 * directive per consumer scope, so a daily warning never hides a monthly exhaustion. A request later than
 * its period's end plus the grace period no longer counts.
 */
final class QuotaProcessor implements Processor<String, RequestEvent, String, LimitDirective> {
    private static final Logger LOG = Logger.getLogger(QuotaProcessor.class.getName());
    /** The level a period's count has reached: the index of the highest warning threshold crossed, or this when exhausted. */
    private static final int EXHAUSTED = Integer.MAX_VALUE;

    private final ZoneId zone;
    private final Duration grace;
    private ProcessorContext<String, LimitDirective> context;
    private KeyValueStore<String, ValueAndTimestamp<PolicyEntity>> plans;
    private NodeConfigs declared;
    private final Map<String, BoundPlan> boundPlans = new HashMap<>();
    private KeyValueStore<String, Long> counts;
    private KeyValueStore<String, Integer> levels;
    private long streamTime;

    QuotaProcessor(ZoneId zone, Duration grace) {
        this.zone = zone;
        this.grace = grace;
    }

    @Override
    public void init(ProcessorContext<String, LimitDirective> context) {
        this.context = context;
        this.plans = context.getStateStore(QuotaTopology.PLANS_STORE);
        this.declared = new NodeConfigs(context.getStateStore(NodeConfigs.STORE));
        this.counts = context.getStateStore(QuotaTopology.COUNTS_STORE);
        this.levels = context.getStateStore(QuotaTopology.LEVELS_STORE);
        context.schedule(Duration.ofHours(1), PunctuationType.STREAM_TIME, now -> forgetEndedPeriods());
    }

    @Override
    public void process(Record<String, RequestEvent> record) {
        String consumer = record.key();
        streamTime = Math.max(streamTime, record.timestamp());
        Instant at = Instant.ofEpochMilli(record.timestamp());
        PlanSettings plan = plan(record.value().getPlan());
        boolean changed = false;
        for (Period period : Period.values()) {
            Instant start = period.start(at, zone);
            Instant end = period.end(start, zone);
            if (end.plus(grace).toEpochMilli() <= streamTime) {
                continue; // too late for its period
            }
            String key = key(consumer, period, start);
            Long before = counts.get(key);
            long count = (before == null ? 0 : before) + 1;
            counts.put(key, count);
            long quota = quota(plan, period);
            if (quota > 0) {
                int level = level(plan, count, quota);
                Integer announced = levels.get(key);
                if (level >= 0 && (announced == null || level > announced)) {
                    levels.put(key, level);
                    changed = true;
                }
            }
        }
        if (changed && plan != null) {
            context.forward(new Record<>(LimitKeys.of("consumer:" + consumer, LimitKeys.POLICY_STREAMS), state(consumer, record.value().getPlan(), plan, at), record.timestamp()));
        }
    }

    /** The consumer's quota state over both periods that hold {@code at}: the most restrictive wins. */
    private LimitDirective state(String consumer, String planId, PlanSettings plan, Instant at) {
        LimitDirective.Builder directive = LimitDirective.newBuilder().setScope("consumer:" + consumer).setSource("policy-streams")
                .setIssuedAt(at).setVersion(at.toEpochMilli());
        Instant exhaustedUntil = null;
        String exhaustedReason = null;
        double warned = 0;
        Instant warningUntil = null;
        String warningReason = null;
        long remaining = Long.MAX_VALUE;
        Instant remainingUntil = null;
        for (Period period : Period.values()) {
            Instant start = period.start(at, zone);
            String key = key(consumer, period, start);
            long quota = quota(plan, period);
            Long counted = counts.get(key);
            long left = quota - (counted == null ? 0 : counted);
            if (quota > 0 && left < remaining) {
                remaining = left;
                remainingUntil = period.end(start, zone);
            }
            Integer level = levels.get(key);
            if (level == null || quota <= 0) {
                continue;
            }
            Instant end = period.end(start, zone);
            long count = counts.get(key);
            if (level == EXHAUSTED && (exhaustedUntil == null || !end.isBefore(exhaustedUntil))) {
                exhaustedUntil = end;
                exhaustedReason = String.format(Locale.ROOT, "consumer %s used its %s quota of %d requests (plan %s)", consumer, period.adjective(), quota, planId);
            } else if (level != EXHAUSTED && (double) count / quota > warned) {
                warned = (double) count / quota;
                warningUntil = end;
                warningReason = String.format(Locale.ROOT, "consumer %s used %.0f %% of its %s quota of %d requests (plan %s)", consumer,
                        warned * 100, period.adjective(), quota, planId);
            }
        }
        if (exhaustedUntil != null) {
            return directive.setKind(DirectiveKind.QUOTA_EXHAUSTED).setValue(null).setReason(exhaustedReason).setExpiresAt(exhaustedUntil).build();
        }
        // the warning lapses with the period its remaining count belongs to, which may end before the warned one
        Instant until = remainingUntil != null && remainingUntil.isBefore(warningUntil) ? remainingUntil : warningUntil;
        return directive.setKind(DirectiveKind.QUOTA_WARNING).setValue(warned).setReason(warningReason).setExpiresAt(until)
                .setRemaining(remaining == Long.MAX_VALUE ? null : Math.max(0, remaining)).build();
    }

    private static int level(PlanSettings plan, long count, long quota) {
        if (count >= quota) {
            return EXHAUSTED;
        }
        int level = -1;
        for (int i = 0; i < plan.warningThresholds().size(); i++) {
            if (count >= Math.ceil(plan.warningThresholds().get(i) * quota)) {
                level = i;
            }
        }
        return level;
    }

    private static long quota(PlanSettings plan, Period period) {
        return plan == null ? 0 : period == Period.DAY ? plan.dailyQuota() : plan.monthlyQuota();
    }

    private static String key(String consumer, Period period, Instant start) {
        return consumer + "|" + period + "|" + start.toEpochMilli();
    }

    /** Counts of periods that ended more than the grace period ago are of no more use. */
    private void forgetEndedPeriods() {
        try (KeyValueIterator<String, Long> all = counts.all()) {
            while (all.hasNext()) {
                KeyValue<String, Long> entry = all.next();
                String[] parts = entry.key.split("\\|");
                Period period = Period.valueOf(parts[parts.length - 2]);
                Instant end = period.end(Instant.ofEpochMilli(Long.parseLong(parts[parts.length - 1])), zone);
                if (end.plus(grace).toEpochMilli() <= streamTime) {
                    counts.delete(entry.key);
                    levels.delete(entry.key);
                }
            }
        }
    }

    private PlanSettings plan(String plan) {
        if (plan == null) {
            return null;
        }
        ValueAndTimestamp<PolicyEntity> entity = plans.get("plan:" + plan);
        String spec;
        if (entity != null && entity.value() != null) {
            spec = entity.value().getSpec();
        } else {
            Optional<PolicyEntity> declaredPlan = declared.get("plan:" + plan); // a plan of the edges' YAML
            if (declaredPlan.isEmpty()) {
                return null;
            }
            spec = declaredPlan.get().getSpec();
        }
        BoundPlan known = boundPlans.get(plan);
        if (known != null && known.spec().equals(spec)) {
            return known.settings();
        }
        PlanSettings settings = null;
        try {
            settings = SettingsLoader.bindJson(spec, "plan:" + plan, PlanSettings.class);
        } catch (RuntimeException e) {
            LOG.warning("plan " + plan + " on the policies topic does not parse: " + e.getMessage());
        }
        boundPlans.put(plan, new BoundPlan(spec, settings));
        return settings;
    }

    /** A plan's spec and its settings (null if it does not parse), so each event does not parse the spec again. */
    private record BoundPlan(String spec, PlanSettings settings) {
    }
}
