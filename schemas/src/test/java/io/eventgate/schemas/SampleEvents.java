package io.eventgate.schemas;

import io.eventgate.avro.AnomalyEvent;
import io.eventgate.avro.AnomalyKind;
import io.eventgate.avro.CommandAction;
import io.eventgate.avro.CommandRejection;
import io.eventgate.avro.DecisionEvent;
import io.eventgate.avro.DecisionKind;
import io.eventgate.avro.DirectiveKind;
import io.eventgate.avro.EntityType;
import io.eventgate.avro.LimitDirective;
import io.eventgate.avro.NodeHeartbeat;
import io.eventgate.avro.PolicyCommand;
import io.eventgate.avro.PolicyEntity;
import io.eventgate.avro.PolicyEntityType;
import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.avro.RouteStats;
import io.eventgate.avro.RouteUsage;
import io.eventgate.avro.StatsGranularity;
import io.eventgate.avro.UsageGranularity;
import io.eventgate.avro.UsageRecord;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** One fully populated record of every contract type, for round-trip tests. */
public final class SampleEvents {
    static final Instant T = Instant.parse("2026-11-26T10:15:30.123Z");

    private SampleEvents() {
    }

    public static SpecificRecord of(Topic topic) {
        return switch (topic) {
            case REQUESTS -> request("req-1", "acme");
            case DECISIONS -> DecisionEvent.newBuilder().setDecisionId("d-1").setRequestId("req-1").setTimestamp(T).setNode("edge-1")
                    .setConsumerId("acme").setRouteId("api").setClientAddress("203.0.113.9").setKind(DecisionKind.THROTTLE)
                    .setPolicy("plan:gold/rate").setPolicyVersion(12).setLimit(10.0).setRemaining(0.0).setRetryAfterSeconds(1L)
                    .setReason("10 req/s exceeded").setShadow(false).build();
            case CONTROL -> PolicyCommand.newBuilder().setCommandId("c-1").setIssuedAt(T).setIssuedBy("ops@example").setAction(CommandAction.UPSERT)
                    .setEntityType(EntityType.ROUTE).setEntityId("api").setSpec("{\"paths\":[\"/api/**\"]}").build();
            case CONTROL_REJECTIONS -> CommandRejection.newBuilder().setCommandId("c-2").setEntityKey("route:api").setRejectedAt(T)
                    .setField("upstreams[1].weight").setReason("weight must be between 0 and 100, was -5").setIssuedBy("ops@example").build();
            case POLICIES -> PolicyEntity.newBuilder().setEntityKey("route:api").setEntityType(PolicyEntityType.ROUTE).setEntityId("api")
                    .setVersion(42).setSpec("{\"paths\":[\"/api/**\"]}").setChecksum("ab".repeat(32)).setSourceCommandId("c-1").setValidatedAt(T).build();
            case LIMITS -> LimitDirective.newBuilder().setScope("consumer:acme@node:edge-1").setKind(DirectiveKind.RATE_SHARE)
                    .setSource("policy-streams").setValue(33.3).setBurst(50.0).setReason("global limit 100 req/s, share by demand")
                    .setIssuedAt(T).setExpiresAt(T.plus(10, ChronoUnit.SECONDS)).setVersion(7).build();
            case USAGE -> UsageRecord.newBuilder().setConsumerId("acme").setPlan("gold").setGranularity(UsageGranularity.HOUR)
                    .setWindowStart(Instant.parse("2026-11-26T10:00:00Z")).setWindowEnd(Instant.parse("2026-11-26T11:00:00Z"))
                    .setRevision(2).setBillableRequests(990).setTotalRequests(1000).setBytesIn(1024).setBytesOut(4096)
                    .setRoutes(List.of(RouteUsage.newBuilder().setRouteId("api").setBillableRequests(990).setTotalRequests(1000)
                            .setBytesIn(1024).setBytesOut(4096).build()))
                    .setProducedAt(T).build();
            case ROUTE_STATS -> RouteStats.newBuilder().setRouteId("api").setGranularity(StatsGranularity.MINUTE)
                    .setWindowStart(Instant.parse("2026-11-26T10:15:00Z")).setWindowEnd(Instant.parse("2026-11-26T10:16:00Z"))
                    .setRequests(600).setStatus1xx(0).setStatus2xx(580).setStatus3xx(0).setStatus4xx(15).setStatus5xx(5)
                    .setLatencyP50Micros(850.0).setLatencyP95Micros(2100.0).setLatencyP99Micros(4800.0).setLatencyMaxMicros(9100.0)
                    .setBytesIn(10_000).setBytesOut(200_000).setRetries(3).setDecisions(Map.of("throttle", 12L)).build();
            case ANOMALIES -> AnomalyEvent.newBuilder().setAnomalyId("a-1").setKind(AnomalyKind.REQUEST_RATE_SPIKE).setScope("consumer:acme")
                    .setObserved(2300).setBaseline(210).setBaselineStdDev(40).setScore(52.25)
                    .setWindowStart(Instant.parse("2026-11-26T10:14:00Z")).setWindowEnd(Instant.parse("2026-11-26T10:15:00Z"))
                    .setExplanation("consumer acme: 2,300 req/min vs baseline 210 ± 40").setAction("throttle to 420 req/min until 10:25Z")
                    .setDetectedAt(T).build();
            case NODES -> NodeHeartbeat.newBuilder().setNodeId("edge-1").setStartedAt(T.minusSeconds(3600)).setSentAt(T)
                    .setAppliedPolicyVersion(42).setAppliedLimitsOffset(17).setConfigChecksum("cd".repeat(32)).setReady(true)
                    .setRequestsPerSecond(1234.5).setInFlight(17).setDemand(Map.of("acme", 80.0)).setSoftwareVersion("0.1.0").build();
            case NODE_CONFIG -> io.eventgate.avro.NodeConfig.newBuilder().setNodeId("edge-1").setPublishedAt(T).setChecksum("0".repeat(64))
                    .setEntities(java.util.List.of(io.eventgate.avro.StaticEntity.newBuilder().setEntityKey("pool:demo").setEntityType("UPSTREAM_POOL")
                            .setEntityId("demo").setSpec("{\"instances\":[{\"url\":\"http://10.0.0.1:8080\"}]}").build())).build();
            case WEBHOOK_DELIVERIES -> io.eventgate.avro.WebhookDelivery.newBuilder().setSubscription("orders").setMessageId("msg_demo.orders_0_42")
                    .setTopic("demo.orders").setPartition(0).setOffset(42).setAttempt(2).setOutcome(io.eventgate.avro.DeliveryOutcome.FAILED)
                    .setStatus(503).setLatencyMicros(1200).setError("the target answered 503").setTimestamp(T).build();
            case CAPTURES -> io.eventgate.avro.RequestCapture.newBuilder().setRequestId("req-1").setTimestamp(T).setNode("edge-1").setRouteId("api")
                    .setConsumerId("acme").setMethod("POST").setScheme("http").setHost("api.example").setPath("/api/orders").setQuery("dry=1")
                    .setHeaders(List.of(new io.eventgate.avro.CapturedHeader("content-type", "application/json")))
                    .setRedacted(List.of("header:x-api-key", "json:/card")).setBody(java.nio.ByteBuffer.wrap("{\"card\":\"REDACTED\"}".getBytes()))
                    .setBodyBytes(32).setBodyComplete(true).setStatus(201).setGatewayLatencyMicros(2100).setUpstreamLatencyMicros(1800L)
                    .setResponseBytes(40).build();
            case MIRROR_DIFFS -> io.eventgate.avro.MirrorDiff.newBuilder().setRequestId("req-1").setTimestamp(T).setNode("edge-1").setRouteId("api")
                    .setMethod("GET").setPath("/api/users/7").setPrimaryPool("users-v1").setShadowPool("users-v2").setPrimaryStatus(200).setShadowStatus(500)
                    .setDifferences(List.of(new io.eventgate.avro.MirrorDifference("status", "200", "500")))
                    .setPrimaryLatencyMicros(900).setShadowLatencyMicros(1500).build();
        };
    }

    public static RequestEvent request(String requestId, String consumer) {
        return RequestEvent.newBuilder().setRequestId(requestId).setTraceId("4bf92f3577b34da6a3ce929d0e0e4736").setTimestamp(T)
                .setNode("edge-1").setRouteId("api").setMethod("GET").setPath("/api/users/7").setHost("api.example.com")
                .setStatus(200).setGatewayLatencyMicros(1200).setUpstreamLatencyMicros(900L).setBytesIn(0).setBytesOut(512)
                .setConsumerId(consumer).setPlan("gold").setClientAddress("203.0.113.9").setUpstreamInstance("10.0.0.5:8080")
                .setRetries(0).setOutcome(RequestOutcome.PROXIED).setDecision("allow").setDecidingPolicy(null).build();
    }
}
