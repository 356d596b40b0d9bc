package io.eventgate.edge.pipeline;

import io.eventgate.avro.DecisionEvent;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.routing.HostPattern;
import io.eventgate.edge.routing.RequestView;
import io.eventgate.edge.routing.Route;
import io.eventgate.edge.routing.RouteTable;
import io.eventgate.edge.snapshot.Snapshot;
import io.eventgate.policy.model.PlanSettings;
import io.opentelemetry.api.trace.Span;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One request as it moves through the pipeline: the facts of the request (plain values, so each step can
 * be tested without a server), what the steps learned (path, route, client address), and how it ended.
 */
public final class Exchange implements RequestView {
    public static final String ANONYMOUS = "anonymous";

    private final Protocol protocol;
    private final String method;
    private final String rawPath;
    private String rawQuery;
    private final String authority;
    private final String peerAddress;
    private final String scheme;
    private final RequestHeaders headers;
    private ClientConnection client;
    private final Snapshot snapshot;
    private PlanSettings planSettings;
    private final long startNanos = System.nanoTime();
    private final Instant receivedAt = Instant.now();

    private String requestId;
    private Span span;
    private String clientAddress;
    private Forwarding forwarding;
    private String path;
    private RouteTable.Match match;

    private int status;
    private RequestOutcome outcome = RequestOutcome.OTHER;
    private long bytesIn;
    private long bytesOut;
    private String upstreamInstance;
    private int retries;
    private Long upstreamLatencyNanos;
    private String consumerId = ANONYMOUS;
    private String plan;
    private String decision = "allow";
    private String decidingPolicy;
    private String failedCredential;
    private String consumedCredentialHeader;
    private final List<DecisionEvent> decisions = new ArrayList<>(0);
    private List<String[]> responseHeaders;
    private List<String[]> upstreamHeaders;
    private String injectedFault;
    private String cacheResult;
    private boolean deprecated;
    private String variant;
    private boolean hedged;
    private Integer grpcStatus;
    private Set<String> withheld;

    public Exchange(Protocol protocol, String method, String rawPath, String rawQuery, String authority, String peerAddress, String scheme,
                    RequestHeaders headers, ClientConnection client, Snapshot snapshot) {
        this.protocol = protocol;
        this.method = method;
        this.rawPath = rawPath;
        this.rawQuery = rawQuery;
        this.authority = authority;
        this.peerAddress = peerAddress;
        this.scheme = scheme;
        this.headers = headers;
        this.client = client;
        this.snapshot = snapshot;
        this.clientAddress = peerAddress;
    }

    /** How the request goes on once admitted: which exit of the pipeline serves it. */
    public Protocol protocol() {
        return protocol;
    }

    @Override
    public String method() {
        return method;
    }

    public String rawPath() {
        return rawPath;
    }

    /** The query string as sent (without '?'), or null. */
    public String rawQuery() {
        return rawQuery;
    }

    /** The first value of query parameter {@code name}, percent-decoded, or null. */
    public String queryParameter(String name) {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            String key = equals < 0 ? pair : pair.substring(0, equals);
            if (key.equals(name)) {
                try {
                    return java.net.URLDecoder.decode(equals < 0 ? "" : pair.substring(equals + 1), java.nio.charset.StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return null; // a malformed escape is no credential
                }
            }
        }
        return null;
    }

    /**
     * Every query parameter with all its values, decoded, in the order they came.
     *
     * @throws IllegalArgumentException when a name or value has a malformed escape
     */
    public Map<String, List<String>> queryParameters() {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        if (rawQuery == null) {
            return parameters;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = java.net.URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), java.nio.charset.StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : java.net.URLDecoder.decode(pair.substring(equals + 1), java.nio.charset.StandardCharsets.UTF_8);
            parameters.computeIfAbsent(name, n -> new ArrayList<>(1)).add(value);
        }
        return parameters;
    }

    /** Drops query parameter {@code name}, so a credential sent in the query never reaches the upstream. */
    public void removeQueryParameter(String name) {
        if (rawQuery == null) {
            return;
        }
        String kept = java.util.Arrays.stream(rawQuery.split("&"))
                .filter(pair -> !(pair.equals(name) || pair.startsWith(name + "=")))
                .collect(java.util.stream.Collectors.joining("&"));
        rawQuery = kept.isEmpty() ? null : kept;
    }

    /** Host header or :authority as sent. */
    public String authority() {
        return authority;
    }

    @Override
    public String host() {
        return HostPattern.hostOf(authority);
    }

    /** The normalised path once {@code NormalizeStep} ran, else the raw path. */
    @Override
    public String path() {
        return path != null ? path : rawPath;
    }

    @Override
    public String header(String name) {
        return headers.first(name);
    }

    public RequestHeaders headers() {
        return headers;
    }

    public String peerAddress() {
        return peerAddress;
    }

    public String scheme() {
        return scheme;
    }

    public ClientConnection client() {
        return client;
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    public long startNanos() {
        return startNanos;
    }

    public Instant receivedAt() {
        return receivedAt;
    }

    public String requestId() {
        return requestId;
    }

    public void requestId(String requestId) {
        this.requestId = requestId;
    }

    /** The W3C trace id of the gateway hop, or 32 zeros before tracing started. */
    public String traceId() {
        return span == null ? "00000000000000000000000000000000" : span.getSpanContext().getTraceId();
    }

    /** The gateway hop's span (null before RecordStep starts it). */
    public Span span() {
        return span;
    }

    public void span(Span span) {
        this.span = span;
    }

    public String clientAddress() {
        return clientAddress;
    }

    public void clientAddress(String clientAddress) {
        this.clientAddress = clientAddress;
    }

    /** What the upstream is told about the request's origin (X-Forwarded-For/-Proto/-Host), trusted-proxy rules applied. */
    public record Forwarding(String forwardedFor, String proto, String host) {
    }

    public Forwarding forwarding() {
        return forwarding != null ? forwarding : new Forwarding(clientAddress, scheme, authority);
    }

    public void forwarding(Forwarding forwarding) {
        this.forwarding = forwarding;
    }

    public void normalizedPath(String path) {
        this.path = path;
    }

    public RouteTable.Match match() {
        return match;
    }

    public Route route() {
        return match == null ? null : match.route();
    }

    public Map<String, String> pathVariables() {
        return match == null ? Map.of() : match.pathVariables();
    }

    public void routed(RouteTable.Match match) {
        this.match = match;
    }

    public int status() {
        return status;
    }

    public RequestOutcome outcome() {
        return outcome;
    }

    /** Records how the request ended. */
    public void ended(int status, RequestOutcome outcome) {
        this.status = status;
        this.outcome = outcome;
    }

    public long bytesIn() {
        return bytesIn;
    }

    public void addBytesIn(long n) {
        bytesIn += n;
    }

    public long bytesOut() {
        return bytesOut;
    }

    public void addBytesOut(long n) {
        bytesOut += n;
    }

    public String upstreamInstance() {
        return upstreamInstance;
    }

    public void upstreamInstance(String address) {
        this.upstreamInstance = address;
    }

    public int retries() {
        return retries;
    }

    public void retried() {
        retries++;
    }

    public Long upstreamLatencyNanos() {
        return upstreamLatencyNanos;
    }

    public void addUpstreamLatency(long nanos) {
        upstreamLatencyNanos = (upstreamLatencyNanos == null ? 0 : upstreamLatencyNanos) + nanos;
    }

    public String consumerId() {
        return consumerId;
    }

    public String plan() {
        return plan;
    }

    /** The settings of the consumer's plan in this exchange's snapshot; null when anonymous or the plan is unknown. */
    public PlanSettings planSettings() {
        return planSettings;
    }

    public void consumer(String consumerId, String plan) {
        this.consumerId = consumerId;
        this.plan = plan;
        this.planSettings = plan == null ? null : snapshot.settings().plans().get(plan);
    }

    public String decision() {
        return decision;
    }

    /** The fingerprint of a credential that failed to authenticate, or null. */
    public String failedCredential() {
        return failedCredential;
    }

    public void failedCredential(String fingerprint) {
        this.failedCredential = fingerprint;
    }

    /** The request header that carried the credential the edge checked (lower case), or null. */
    public String consumedCredentialHeader() {
        return consumedCredentialHeader;
    }

    /** Marks the header whose credential named the consumer: it stays at the gateway unless the route forwards credentials. */
    public void consumedCredentialHeader(String lowerCaseName) {
        this.consumedCredentialHeader = lowerCaseName;
    }

    public String decidingPolicy() {
        return decidingPolicy;
    }

    /** Records a non-allow decision; the last one that refused the request is the final decision. */
    public void decided(DecisionEvent event, boolean refused) {
        decisions.add(event);
        if (refused) {
            decision = event.getKind().name().toLowerCase(java.util.Locale.ROOT);
            decidingPolicy = event.getPolicy();
        }
    }

    public List<DecisionEvent> decisions() {
        return decisions;
    }

    /** A response header the gateway sets itself on whatever answer the request gets, replacing an upstream's of that name. */
    public void responseHeader(String name, String value) {
        gatewayHeader(name, value, "set");
    }

    /** A response header the gateway adds on whatever answer the request gets, beside an upstream's of that name (Vary). */
    public void addResponseHeader(String name, String value) {
        gatewayHeader(name, value, "add");
    }

    private void gatewayHeader(String name, String value, String how) {
        if (responseHeaders == null) {
            responseHeaders = new ArrayList<>(4);
        }
        responseHeaders.add(new String[] {name, value, how});
    }

    /** Whether the gateway sets response header {@code lowerCaseName} itself (so the upstream's is not passed on). */
    public boolean setsResponseHeader(String lowerCaseName) {
        if (responseHeaders != null) {
            for (String[] header : responseHeaders) {
                if (header[2].equals("set") && header[0].equalsIgnoreCase(lowerCaseName)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Writes the response headers the gateway sets itself to the client's answer. */
    public void writeResponseHeaders() {
        if (responseHeaders != null) {
            for (String[] header : responseHeaders) {
                client.header(header[0], header[1]);
            }
        }
    }

    /** Sends the answer through {@code diverted} (which wraps the client's connection) from now on: the cache keeps a copy. */
    public void divertClient(ClientConnection diverted) {
        this.client = diverted;
    }

    /** A request header the gateway adds for the upstream (a cache's conditional request), after the client's. */
    public void upstreamHeader(String name, String value) {
        if (upstreamHeaders == null) {
            upstreamHeaders = new ArrayList<>(2);
        }
        upstreamHeaders.add(new String[] {name, value});
    }

    public List<String[]> upstreamHeaders() {
        return upstreamHeaders == null ? List.of() : upstreamHeaders;
    }

    /** What the response cache did with this request ({@code hit}, {@code miss}, {@code stale}, {@code bypass}), or null. */
    /** The destination (pool) a weighted split sent the request to, or null when the route has one destination. */
    public String variant() {
        return variant;
    }

    public void variant(String pool) {
        this.variant = pool;
    }

    /** The gRPC status a gRPC call was answered with (the upstream's or the edge's own), or null for other protocols. */
    public Integer grpcStatus() {
        return grpcStatus;
    }

    public void grpcStatus(int code) {
        this.grpcStatus = code;
    }

    /** Whether a second, hedged attempt was sent because the first was slow. */
    public boolean isHedged() {
        return hedged;
    }

    public void hedged() {
        this.hedged = true;
    }

    /** Whether the request called a deprecated API version. */
    public boolean deprecated() {
        return deprecated;
    }

    public void deprecated(boolean deprecated) {
        this.deprecated = deprecated;
    }

    public String cacheResult() {
        return cacheResult;
    }

    public void cacheResult(String result) {
        this.cacheResult = result;
    }

    /** The fault injected into this request for a chaos test (e.g. {@code delay:200ms}, {@code abort:503}), or null. */
    public String injectedFault() {
        return injectedFault;
    }

    public void injectedFault(String fault) {
        this.injectedFault = fault;
    }

    /** Keeps a client request header (lower case) from the upstream: one a step has acted on, such as the encoding of a body it decoded. */
    public void withholdFromUpstream(String lowerCaseName) {
        if (withheld == null) {
            withheld = new java.util.HashSet<>(2);
        }
        withheld.add(lowerCaseName);
    }

    public boolean withheldFromUpstream(String lowerCaseName) {
        return withheld != null && withheld.contains(lowerCaseName);
    }

    /**
     * A copy of this admitted request that goes on to the upstream without its client (the cache's background
     * revalidation): it answers into {@code client}, and no event records it. Its headers are copied, so the copy may
     * outlive the server's request.
     */
    public Exchange detached(ClientConnection client) {
        Map<String, List<String>> copied = new LinkedHashMap<>();
        headers.forEach((name, values) -> copied.put(name, List.copyOf(values)));
        Exchange copy = new Exchange(protocol, method, rawPath, rawQuery, authority, peerAddress, scheme, RequestHeaders.of(copied), client, snapshot);
        copy.requestId = requestId;
        copy.span = span;
        copy.clientAddress = clientAddress;
        copy.forwarding = forwarding;
        copy.path = path;
        copy.match = match;
        copy.consumer(consumerId, plan);
        copy.consumedCredentialHeader = consumedCredentialHeader;
        copy.upstreamHeaders = upstreamHeaders == null ? null : new ArrayList<>(upstreamHeaders);
        copy.withheld = withheld == null ? null : new java.util.HashSet<>(withheld);
        return copy;
    }
}
