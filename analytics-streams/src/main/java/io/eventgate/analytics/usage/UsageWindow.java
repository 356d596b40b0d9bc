package io.eventgate.analytics.usage;

import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RouteUsage;
import io.eventgate.avro.UsageGranularity;
import io.eventgate.avro.UsageRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** One consumer's usage in one window, per route. */
public final class UsageWindow {

    /** Counts of one route. */
    static final class Counts {
        long billable;
        long total;
        long bytesIn;
        long bytesOut;
    }

    String plan;
    long events;
    final TreeMap<String, Counts> routes = new TreeMap<>();

    /** Adds a partial of the same consumer and window: its requests came after this window's. */
    UsageWindow merge(UsageWindow partial) {
        events += partial.events;
        if (partial.plan != null) {
            plan = partial.plan;
        }
        partial.routes.forEach((route, counts) -> {
            Counts into = routes.computeIfAbsent(route, r -> new Counts());
            into.billable += counts.billable;
            into.total += counts.total;
            into.bytesIn += counts.bytesIn;
            into.bytesOut += counts.bytesOut;
        });
        return this;
    }

    UsageWindow add(RequestEvent event, Set<Integer> billableStatusClasses) {
        events++;
        if (event.getPlan() != null) {
            plan = event.getPlan();
        }
        Counts counts = routes.computeIfAbsent(event.getRouteId() == null ? "-" : event.getRouteId(), r -> new Counts());
        counts.total++;
        counts.bytesIn += event.getBytesIn();
        counts.bytesOut += event.getBytesOut();
        if (billableStatusClasses.contains(event.getStatus() / 100)) {
            counts.billable++;
        }
        return this;
    }

    /**
     * The record for this window. Its revision is the number of requests counted so far, so a later record of
     * the same window (after a late request) always has a higher revision, and replays give the same numbers.
     */
    public UsageRecord toRecord(String consumer, long start, long end, UsageGranularity granularity, Instant producedAt) {
        List<RouteUsage> perRoute = routes.entrySet().stream().map(e -> RouteUsage.newBuilder().setRouteId(e.getKey())
                .setBillableRequests(e.getValue().billable).setTotalRequests(e.getValue().total)
                .setBytesIn(e.getValue().bytesIn).setBytesOut(e.getValue().bytesOut).build()).toList();
        return UsageRecord.newBuilder()
                .setConsumerId(consumer)
                .setPlan(plan)
                .setGranularity(granularity)
                .setWindowStart(Instant.ofEpochMilli(start))
                .setWindowEnd(Instant.ofEpochMilli(end))
                .setRevision((int) Math.min(Integer.MAX_VALUE, events))
                .setBillableRequests(perRoute.stream().mapToLong(RouteUsage::getBillableRequests).sum())
                .setTotalRequests(perRoute.stream().mapToLong(RouteUsage::getTotalRequests).sum())
                .setBytesIn(perRoute.stream().mapToLong(RouteUsage::getBytesIn).sum())
                .setBytesOut(perRoute.stream().mapToLong(RouteUsage::getBytesOut).sum())
                .setRoutes(perRoute)
                .setProducedAt(producedAt)
                .build();
    }

    /** The serde of the window stores and of the partials. */
    static Serde<UsageWindow> serde() {
        return Serdes.serdeFrom((topic, window) -> {
            byte[] plan = (window.plan == null ? "" : window.plan).getBytes(StandardCharsets.UTF_8);
            List<byte[]> names = new ArrayList<>(window.routes.size());
            int size = 4 + plan.length + 8 + 4;
            for (String route : window.routes.keySet()) {
                byte[] name = route.getBytes(StandardCharsets.UTF_8);
                names.add(name);
                size += 4 + name.length + 4 * 8;
            }
            ByteBuffer out = ByteBuffer.allocate(size).putInt(plan.length).put(plan).putLong(window.events).putInt(names.size());
            int i = 0;
            for (Counts counts : window.routes.values()) {
                byte[] name = names.get(i++);
                out.putInt(name.length).put(name).putLong(counts.billable).putLong(counts.total).putLong(counts.bytesIn).putLong(counts.bytesOut);
            }
            return out.array();
        }, (topic, bytes) -> {
            try {
                ByteBuffer in = ByteBuffer.wrap(bytes);
                UsageWindow window = new UsageWindow();
                String plan = text(in);
                window.plan = plan.isEmpty() ? null : plan;
                window.events = in.getLong();
                for (int routes = in.getInt(); routes > 0; routes--) {
                    String route = text(in);
                    Counts counts = new Counts();
                    counts.billable = in.getLong();
                    counts.total = in.getLong();
                    counts.bytesIn = in.getLong();
                    counts.bytesOut = in.getLong();
                    window.routes.put(route, counts);
                }
                return window;
            } catch (RuntimeException e) {
                throw new SerializationException("usage state of " + topic + " is unreadable", e);
            }
        });
    }

    private static String text(ByteBuffer in) {
        byte[] bytes = new byte[in.getInt()];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
