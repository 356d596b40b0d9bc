package io.eventgate.analytics.usage;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RouteUsage;
import io.eventgate.avro.UsageGranularity;
import io.eventgate.avro.UsageRecord;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** One consumer's usage in one window, per route; the window store keeps it as JSON. */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY)
public final class UsageWindow {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Counts of one route. */
    @JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY)
    static final class Counts {
        long billable;
        long total;
        long bytesIn;
        long bytesOut;
    }

    String plan;
    long events;
    final TreeMap<String, Counts> routes = new TreeMap<>();

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

    static Serde<UsageWindow> serde() {
        return Serdes.serdeFrom((topic, window) -> {
            try {
                return JSON.writeValueAsBytes(window);
            } catch (JsonProcessingException e) {
                throw new SerializationException("cannot write usage state of " + topic, e);
            }
        }, (topic, bytes) -> {
            try {
                return JSON.readValue(bytes, UsageWindow.class);
            } catch (IOException e) {
                throw new SerializationException("usage state of " + topic + " is unreadable", e);
            }
        });
    }
}
