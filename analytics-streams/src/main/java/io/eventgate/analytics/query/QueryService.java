package io.eventgate.analytics.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eventgate.analytics.Windows;
import io.eventgate.analytics.routes.RouteStatsQueries;
import io.eventgate.analytics.routes.RouteStatsTopology;
import io.eventgate.analytics.usage.UsageQueries;
import io.eventgate.analytics.usage.UsageTopology;
import io.eventgate.analytics.deprecations.DeprecationQueries;
import io.eventgate.analytics.deprecations.DeprecationTopology;
import io.eventgate.analytics.webhooks.WebhookCounts;
import io.eventgate.analytics.webhooks.WebhookQueries;
import io.eventgate.analytics.webhooks.WebhookTopology;
import io.eventgate.avro.RouteStats;
import io.eventgate.avro.UsageGranularity;
import io.eventgate.avro.UsageRecord;
import io.eventgate.settings.DurationText;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToLongFunction;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The query API and the dashboard page. A query for one route or consumer is answered by the instance that owns
 * its key (forwarded there if need be); a query over all of them gathers every instance's part.
 */
final class QueryService implements HttpService {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_POINTS = 10_000;

    /** What the queries read, known once the streams app exists (it needs this server's port first). */
    private record Stores(KafkaStreams streams, Instances instances, RouteStatsQueries routes, UsageQueries usage, WebhookQueries webhooks,
                          DeprecationQueries deprecations) {
    }

    private final RecentAnomalies anomalies;
    private final Catalog catalog;
    private final Clock clock;
    private final byte[] dashboard;
    private volatile Stores stores;

    QueryService(RecentAnomalies anomalies, Catalog catalog, Clock clock) {
        this.anomalies = anomalies;
        this.catalog = catalog;
        this.clock = clock;
        try (InputStream page = QueryService.class.getResourceAsStream("dashboard.html")) {
            this.dashboard = page.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("the dashboard page is missing from the jar", e);
        }
    }

    /** Answers queries from {@code streams}, this instance being {@code self} in its metadata. */
    void attach(KafkaStreams streams, HostInfo self) {
        stores = new Stores(streams, new Instances(streams, self), RouteStatsQueries.of(streams), UsageQueries.of(streams), WebhookQueries.of(streams),
                DeprecationQueries.of(streams));
    }

    private Stores stores() {
        Stores current = stores;
        if (current == null) {
            throw new Instances.NotReady("the streams app is starting");
        }
        return current;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::dashboard)
                .get("/dashboard", this::dashboard)
                .get("/health", this::health)
                .get("/routes", json(this::allRoutes))
                .get("/routes/{id}/stats", json(this::routeSeries))
                .get("/consumers/top", json(this::topConsumers))
                .get("/consumers/{id}/usage", json(this::consumerUsage))
                .get("/anomalies", json(this::recentAnomalies))
                .get("/webhooks", json(this::webhooks))
                .get("/deprecations", json(this::deprecations))
                .get("/catalog", json((req, forwarded) -> catalog.all()))
                .get("/catalog/{api}/openapi", this::openapi);
    }

    /** The OpenAPI document of an API, as the edges read it, when this instance can read it too. */
    private void openapi(ServerRequest req, ServerResponse res) {
        String api = req.path().pathParameters().get("api");
        java.util.Optional<String> document = catalog.openapi(api);
        java.nio.file.Path path = document.map(java.nio.file.Path::of).orElse(null);
        if (path == null || !java.nio.file.Files.isReadable(path)) {
            res.status(io.helidon.http.Status.NOT_FOUND_404).header(HeaderNames.CONTENT_TYPE, "application/json")
                    .send(JSON.createObjectNode().put("error", document.isEmpty() ? "API '" + api + "' names no OpenAPI document"
                            : "this instance cannot read " + document.get()).toString());
            return;
        }
        try {
            res.header(HeaderNames.CONTENT_TYPE, path.toString().endsWith(".json") ? "application/json" : "application/yaml")
                    .send(java.nio.file.Files.readAllBytes(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void dashboard(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8").header(HeaderNames.CACHE_CONTROL, "no-store").send(dashboard);
    }

    private void health(ServerRequest req, ServerResponse res) {
        Stores current = stores;
        KafkaStreams.State state = current == null ? KafkaStreams.State.CREATED : current.streams().state();
        ObjectNode answer = JSON.createObjectNode().put("state", state.name());
        ArrayNode hosts = answer.putArray("instances");
        if (current != null) {
            current.streams().metadataForAllStreamsClients().stream().map(m -> m.hostInfo().host() + ":" + m.hostInfo().port())
                    .sorted().forEach(hosts::add);
        }
        send(res, state == KafkaStreams.State.RUNNING ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503, answer);
    }

    /** Every route with traffic in the last {@code window} (default 5m): rate, error rate, percentiles. */
    private JsonNode allRoutes(ServerRequest req, boolean forwarded) {
        Duration window = duration(req, "window", Duration.ofMinutes(5));
        Instant to = clock.instant();
        Instant from = to.minus(window);
        ArrayNode list = JSON.createArrayNode();
        double seconds = Math.max(1, Duration.between(Windows.align(from, Duration.ofMinutes(1)), to).toMillis() / 1000.0);
        for (RouteStats stats : stores().routes().recent(from, to)) {
            ObjectNode route = AvroJson.of(stats);
            route.put("ratePerSecond", stats.getRequests() / seconds);
            route.put("errorRate", stats.getRequests() == 0 ? 0 : (double) stats.getStatus5xx() / stats.getRequests());
            list.add(route);
        }
        if (!forwarded) {
            for (HostInfo other : stores().instances().others(RouteStatsTopology.MINUTE_STORE)) {
                read(stores().instances().get(other, pathAndQuery(req))).path("routes").forEach(list::add);
            }
        }
        ObjectNode answer = JSON.createObjectNode().put("from", from.toString()).put("to", to.toString()).put("window", window.toString());
        answer.set("routes", sorted(list, node -> 0, "routeId"));
        return answer;
    }

    /** One route's figures per {@code step} (default 1m) over {@code [from, to)} (default the last hour). */
    private JsonNode routeSeries(ServerRequest req, boolean forwarded) {
        String routeId = req.path().pathParameters().get("id");
        Duration step = duration(req, "step", Duration.ofMinutes(1));
        RouteStatsQueries.checkStep(step);
        Instant to = instant(req, "to", clock.instant());
        Instant from = instant(req, "from", to.minus(Duration.ofHours(1)));
        checkPeriod(from, to, step);
        Optional<HostInfo> owner = forwarded ? Optional.empty() : stores().instances().ownerOf(RouteStatsTopology.MINUTE_STORE, routeId);
        if (owner.isPresent()) {
            return read(stores().instances().get(owner.get(), pathAndQuery(req)));
        }
        ObjectNode answer = JSON.createObjectNode().put("routeId", routeId).put("from", from.toString()).put("to", to.toString()).put("step", step.toString());
        ArrayNode points = answer.putArray("points");
        stores().routes().series(routeId, from, to, step).forEach(point -> points.add(AvroJson.of(point)));
        return answer;
    }

    /** One consumer's usage records per hour or day ({@code granularity}) over {@code [from, to)}, with their sums. */
    private JsonNode consumerUsage(ServerRequest req, boolean forwarded) {
        String consumerId = req.path().pathParameters().get("id");
        UsageGranularity granularity = switch (req.query().first("granularity").orElse("hour").toLowerCase(Locale.ROOT)) {
            case "hour" -> UsageGranularity.HOUR;
            case "day" -> UsageGranularity.DAY;
            default -> throw new IllegalArgumentException("granularity is hour or day");
        };
        Instant to = instant(req, "to", clock.instant());
        Instant from = instant(req, "from", to.minus(granularity == UsageGranularity.DAY ? Duration.ofDays(7) : Duration.ofDays(1)));
        checkPeriod(from, to, granularity == UsageGranularity.DAY ? Duration.ofDays(1) : Duration.ofHours(1));
        Optional<HostInfo> owner = forwarded ? Optional.empty() : stores().instances().ownerOf(UsageTopology.HOURLY_STORE, consumerId);
        if (owner.isPresent()) {
            return read(stores().instances().get(owner.get(), pathAndQuery(req)));
        }
        List<UsageRecord> records = stores().usage().usage(consumerId, from, to, granularity);
        ObjectNode answer = JSON.createObjectNode().put("consumerId", consumerId).put("granularity", granularity.name())
                .put("from", from.toString()).put("to", to.toString())
                .put("billableRequests", records.stream().mapToLong(UsageRecord::getBillableRequests).sum())
                .put("totalRequests", records.stream().mapToLong(UsageRecord::getTotalRequests).sum())
                .put("bytesIn", records.stream().mapToLong(UsageRecord::getBytesIn).sum())
                .put("bytesOut", records.stream().mapToLong(UsageRecord::getBytesOut).sum());
        ArrayNode list = answer.putArray("records");
        records.forEach(record -> list.add(AvroJson.of(record)));
        return answer;
    }

    /** The {@code limit} (default 10) consumers with the most requests, billable requests or bytes in the hours overlapping the last {@code window}. */
    private JsonNode topConsumers(ServerRequest req, boolean forwarded) {
        String by = req.query().first("by").orElse("requests");
        ToLongFunction<JsonNode> measure = switch (by) {
            case "requests" -> node -> node.path("requests").asLong();
            case "billable" -> node -> node.path("billableRequests").asLong();
            case "bytes" -> node -> node.path("bytesIn").asLong() + node.path("bytesOut").asLong();
            default -> throw new IllegalArgumentException("by is requests, billable or bytes");
        };
        Duration window = duration(req, "window", Duration.ofHours(1));
        int limit = integer(req, "limit", 10, 1, 1000);
        Instant to = clock.instant();
        Instant from = to.minus(window);
        ArrayNode list = JSON.createArrayNode();
        for (UsageQueries.ConsumerTotals totals : stores().usage().totals(from, to)) {
            list.add(JSON.valueToTree(totals));
        }
        if (!forwarded) {
            for (HostInfo other : stores().instances().others(UsageTopology.HOURLY_STORE)) {
                read(stores().instances().get(other, pathAndQuery(req))).path("consumers").forEach(list::add);
            }
        }
        ArrayNode top = sorted(list, measure, "consumerId");
        while (top.size() > limit) {
            top.remove(top.size() - 1);
        }
        ObjectNode answer = JSON.createObjectNode().put("by", by).put("window", window.toString()).put("from", from.toString()).put("to", to.toString());
        answer.set("consumers", top);
        return answer;
    }

    /** Every subscription's deliveries over {@code window} (default 24h): delivered, attempts per delivery, failed, dead-lettered. */
    private JsonNode webhooks(ServerRequest req, boolean forwarded) {
        Duration window = duration(req, "window", Duration.ofHours(24));
        Instant to = clock.instant();
        Instant from = to.minus(window);
        java.util.Map<String, WebhookCounts> totals = new java.util.TreeMap<>(stores().webhooks().totals(from, to));
        if (!forwarded) {
            for (HostInfo other : stores().instances().others(WebhookTopology.HOURLY_STORE)) {
                read(stores().instances().get(other, pathAndQuery(req))).path("subscriptions").forEach(node -> totals.merge(node.path("subscription").asText(),
                        new WebhookCounts(node.path("delivered").asLong(), node.path("deliveredAttempts").asLong(), node.path("failedAttempts").asLong(),
                                node.path("deadLettered").asLong()), WebhookCounts::plus));
            }
        }
        ArrayNode list = JSON.createArrayNode();
        totals.forEach((subscription, counts) -> list.addObject().put("subscription", subscription).put("delivered", counts.delivered())
                .put("deliveredAttempts", counts.deliveredAttempts()).put("failedAttempts", counts.failedAttempts())
                .put("deadLettered", counts.deadLettered()));
        ObjectNode answer = JSON.createObjectNode().put("window", window.toString()).put("from", from.toString()).put("to", to.toString());
        answer.set("subscriptions", list);
        return answer;
    }

    /** Calls to deprecated API versions over {@code window} (default 7d), per route and consumer: whom to warn before a sunset. */
    private JsonNode deprecations(ServerRequest req, boolean forwarded) {
        Duration window = duration(req, "window", Duration.ofDays(7));
        Instant to = clock.instant();
        Instant from = to.minus(window);
        java.util.Map<DeprecationQueries.Calls, Long> totals = new java.util.TreeMap<>(stores().deprecations().totals(from, to));
        if (!forwarded) {
            for (HostInfo other : stores().instances().others(DeprecationTopology.HOURLY_STORE)) {
                read(stores().instances().get(other, pathAndQuery(req))).path("calls").forEach(node -> totals.merge(
                        new DeprecationQueries.Calls(node.path("route").asText(), node.path("consumer").asText()), node.path("calls").asLong(), Long::sum));
            }
        }
        ArrayNode list = JSON.createArrayNode();
        totals.forEach((calls, count) -> list.addObject().put("route", calls.route()).put("consumer", calls.consumer()).put("calls", count));
        ObjectNode answer = JSON.createObjectNode().put("window", window.toString()).put("from", from.toString()).put("to", to.toString());
        answer.set("calls", list);
        return answer;
    }

    private JsonNode recentAnomalies(ServerRequest req, boolean forwarded) {
        ArrayNode list = JSON.createArrayNode();
        anomalies.newest(integer(req, "limit", 20, 1, 200)).forEach(anomaly -> list.add(AvroJson.of(anomaly)));
        ObjectNode answer = JSON.createObjectNode();
        answer.set("anomalies", list);
        return answer;
    }

    /** Largest measure first, then by name, so every instance orders ties the same way. */
    private static ArrayNode sorted(ArrayNode list, ToLongFunction<JsonNode> measure, String name) {
        ArrayNode sorted = JSON.createArrayNode();
        java.util.stream.StreamSupport.stream(list.spliterator(), false)
                .sorted(Comparator.comparingLong(measure).reversed().thenComparing(node -> node.path(name).asText()))
                .forEach(sorted::add);
        return sorted;
    }

    private interface Endpoint {
        JsonNode answer(ServerRequest req, boolean forwarded);
    }

    /** A JSON endpoint: 400 for bad parameters, 503 while stores or metadata are rebuilt, 502 when a peer fails. */
    private static Handler json(Endpoint endpoint) {
        return (req, res) -> {
            boolean forwarded = req.headers().contains(HeaderNames.create(Instances.FORWARDED));
            try {
                send(res, Status.OK_200, endpoint.answer(req, forwarded));
            } catch (IllegalArgumentException e) {
                send(res, Status.BAD_REQUEST_400, error(e.getMessage()));
            } catch (Instances.NotReady | InvalidStateStoreException e) {
                res.header(HeaderNames.RETRY_AFTER, "1");
                send(res, Status.SERVICE_UNAVAILABLE_503, error("not ready: " + e.getMessage()));
            } catch (Instances.PeerFailed e) {
                send(res, Status.BAD_GATEWAY_502, error(e.getMessage()));
            }
        };
    }

    private static ObjectNode error(String message) {
        return JSON.createObjectNode().put("error", message);
    }

    private static void send(ServerResponse res, Status status, JsonNode body) {
        try {
            res.status(status).header(HeaderNames.CONTENT_TYPE, "application/json").header(HeaderNames.CACHE_CONTROL, "no-store")
                    .send(JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an answer", e);
        }
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new Instances.PeerFailed("another instance answered with invalid JSON: " + e.getOriginalMessage());
        }
    }

    private static String pathAndQuery(ServerRequest req) {
        String query = req.query().rawValue();
        return req.path().rawPath() + (query.isEmpty() ? "" : "?" + query);
    }

    private static void checkPeriod(Instant from, Instant to, Duration step) {
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("from must be before to");
        }
        if (Duration.between(from, to).dividedBy(step) > MAX_POINTS) {
            throw new IllegalArgumentException("at most " + MAX_POINTS + " points per query: shorten the period or lengthen the step");
        }
    }

    private static Instant instant(ServerRequest req, String name, Instant otherwise) {
        Optional<String> text = req.query().first(name).asOptional();
        if (text.isEmpty()) {
            return otherwise;
        }
        try {
            return text.get().chars().allMatch(Character::isDigit) ? Instant.ofEpochMilli(Long.parseLong(text.get())) : Instant.parse(text.get());
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new IllegalArgumentException(name + " is an ISO-8601 instant (2026-11-26T10:00:00Z) or epoch milliseconds, found '" + text.get() + "'");
        }
    }

    private static Duration duration(ServerRequest req, String name, Duration otherwise) {
        Optional<String> text = req.query().first(name).asOptional();
        if (text.isEmpty()) {
            return otherwise;
        }
        Duration value;
        try {
            value = DurationText.parse(text.get());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage());
        }
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
        return value;
    }

    private static int integer(ServerRequest req, String name, int otherwise, int min, int max) {
        Optional<String> text = req.query().first(name).asOptional();
        try {
            int value = text.map(Integer::parseInt).orElse(otherwise);
            if (value < min || value > max) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " is a whole number from " + min + " to " + max);
        }
    }
}
