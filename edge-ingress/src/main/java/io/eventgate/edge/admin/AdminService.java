package io.eventgate.edge.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eventgate.edge.observe.EdgeMetrics;
import io.eventgate.edge.snapshot.Snapshot;
import io.eventgate.edge.snapshot.SnapshotHolder;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerResponse;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The admin port's endpoints: liveness, readiness, Prometheus metrics, the active configuration's version
 * and checksum, open to probes; and the emergency switch that makes a route answer 503, which changes the node and so
 * takes the admin bearer token (its hash is configured as {@code server.adminTokenHash}; with none, no one may).
 */
public final class AdminService implements HttpService {
    private static final Logger LOG = Logger.getLogger(AdminService.class.getName());
    static final ObjectMapper JSON = new ObjectMapper();

    private final SnapshotHolder snapshots;
    private final EdgeMetrics metrics;
    private final BooleanSupplier ready;
    private final Supplier<EventHealth> events;
    private final AdminToken token;

    /** The event journal's state for the health answer: {@code ok}, {@code full} (events are being dropped) or {@code off}. */
    public record EventHealth(String journal, long droppedEvents) {
        public static final EventHealth OFF = new EventHealth("off", 0);

        boolean degraded() {
            return "full".equals(journal);
        }
    }

    public AdminService(SnapshotHolder snapshots, EdgeMetrics metrics, BooleanSupplier ready, Supplier<EventHealth> events, String tokenHash) {
        this.snapshots = snapshots;
        this.metrics = metrics;
        this.ready = ready;
        this.events = events;
        this.token = new AdminToken(tokenHash);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/observe/health", (req, res) -> json(res, Status.OK_200, health()))
                .get("/observe/ready", (req, res) -> {
                    boolean isReady = ready.getAsBoolean();
                    json(res, isReady ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503, JSON.createObjectNode().put("ready", isReady));
                })
                .get("/observe/metrics", (req, res) -> res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
                        .send(metrics.scrape()))
                .get("/config", (req, res) -> json(res, Status.OK_200, describe(snapshots.get())))
                .post("/routes/{id}/disable", token.required((req, res) -> switchRoute(req.path().pathParameters().get("id"), true, res)))
                .post("/routes/{id}/enable", token.required((req, res) -> switchRoute(req.path().pathParameters().get("id"), false, res)));
    }

    /** Live while it answers; DEGRADED (still 200: clients are served) while the journal drops events. */
    private ObjectNode health() {
        EventHealth state = events.get();
        ObjectNode body = JSON.createObjectNode().put("status", state.degraded() ? "DEGRADED" : "UP");
        body.putObject("events").put("journal", state.journal()).put("droppedEvents", state.droppedEvents());
        return body;
    }

    private void switchRoute(String id, boolean disable, ServerResponse res) {
        if (snapshots.get().routes().route(id).isEmpty()) {
            json(res, Status.NOT_FOUND_404, JSON.createObjectNode().put("error", "unknown_route").put("message", "no route '" + id + "'"));
            return;
        }
        Snapshot updated = snapshots.update(s -> s.withRouteDisabled(id, disable));
        LOG.warning("route " + id + " " + (disable ? "disabled (503) by an operator" : "re-enabled by an operator"));
        json(res, Status.OK_200, describe(updated));
    }

    private static ObjectNode describe(Snapshot snapshot) {
        ObjectNode body = JSON.createObjectNode()
                .put("node", snapshot.settings().nodeId())
                .put("version", snapshot.version())
                .put("checksum", snapshot.checksum());
        var routes = body.putArray("routes");
        snapshot.routes().routeIds().forEach(routes::add);
        var disabled = body.putArray("disabledRoutes");
        snapshot.disabledRoutes().stream().sorted().forEach(disabled::add);
        return body;
    }

    static void json(ServerResponse res, Status status, ObjectNode body) {
        res.status(status).header(HeaderNames.CONTENT_TYPE, "application/json").send(body.toString());
    }
}
