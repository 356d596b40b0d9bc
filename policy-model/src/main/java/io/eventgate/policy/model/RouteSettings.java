package io.eventgate.policy.model;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One route: what it matches, where it sends (weighted pool groups), how the path is rewritten, and
 * its timeouts and retries, whether callers must present credentials ({@code anonymous: false}), and
 * whether its refusals (authentication, directives, plan limits) are only reported as would-deny decisions
 * while requests pass ({@code shadow: true}, to try a policy on live traffic before enforcing it), its own
 * rate limits, who may use it ({@code access}), whether the {@code Authorization} header the gateway checked
 * still reaches the upstream ({@code forwardCredentials}, off by default: a credential stays at the gateway), and its
 * traffic policies ({@link RoutePolicies}): {@code cors}, a {@code mock} answer (then it needs no upstreams),
 * injected {@code faults}, {@code transform} edits, the {@code compression} of answers, the response {@code cache} and the
 * {@code capture} of sampled requests for replay; the shape of the edge's own errors ({@code errorFormat}: RFC 9457
 * {@code problem} details, or {@code legacy} JSON for clients written against it), and the OpenAPI {@code contract}
 * requests are checked against, its {@code deprecation} as an API version, and its {@code info} (owner, tags, API) for the
 * organisation's governance rules, and {@code stickyOn} (client, consumer, header:NAME or cookie:NAME) to keep each
 * caller of a weighted split (a canary) on one destination, the {@code mirror} of sampled requests to a shadow pool and the
 * {@code hedge} of slow idempotent requests to a second instance; or a {@link KafkaTarget} in place of upstreams ({@code kafka}: produce
 * to a topic, or read a key's latest value).
 */
public record RouteSettings(String id, Match match, List<Destination> upstreams, String stripPrefix, String addPrefix,
                            Timeouts timeouts, Retries retries, Boolean preserveHost, Boolean anonymous, Boolean shadow,
                            RateLimits rateLimits, Access access, Boolean forwardCredentials, RoutePolicies.Cors cors,
                            RoutePolicies.Mock mock, RoutePolicies.Faults faults, RoutePolicies.Transform transform,
                            RoutePolicies.Compression compression, RoutePolicies.Cache cache, KafkaTarget kafka,
                            RoutePolicies.Capture capture, String errorFormat,
                            RoutePolicies.Contract contract, RoutePolicies.Deprecation deprecation,
                            RoutePolicies.Info info, String stickyOn, RoutePolicies.Mirror mirror, RoutePolicies.Hedge hedge) {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public RouteSettings {
        Check.required(id, "id");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("id '" + id + "' must be 1-64 letters, digits, '.', '_' or '-'");
        }
        Check.required(match, "match");
        upstreams = List.copyOf(Check.orDefault(upstreams, List.of()));
        if (upstreams.isEmpty() && mock == null && kafka == null) {
            throw new IllegalArgumentException("upstreams must name at least one pool (a route with a mock answer or a kafka target needs none)");
        }
        if (kafka != null && !upstreams.isEmpty()) {
            throw new IllegalArgumentException("a route with a kafka target has no upstreams");
        }
        if (kafka != null && "path".equals(kafka.keySource())) {
            for (String path : match.paths()) {
                if (!path.contains("{" + kafka.keyName() + "}")) {
                    throw new IllegalArgumentException("kafka.key is path:" + kafka.keyName() + ", which match path '" + path + "' does not capture");
                }
            }
        }
        if (upstreams.isEmpty() && (mirror != null || hedge != null)) {
            throw new IllegalArgumentException("mirror and hedge need upstreams: a mock answer or a kafka target has no upstream to copy or hedge");
        }
        if (!upstreams.isEmpty() && upstreams.stream().mapToInt(Destination::weight).sum() == 0) {
            throw new IllegalArgumentException("upstreams weights must not all be 0");
        }
        if (stripPrefix != null && (!stripPrefix.startsWith("/") || stripPrefix.endsWith("/"))) {
            throw new IllegalArgumentException("stripPrefix must start with '/' and not end with one, was '" + stripPrefix + "'");
        }
        if (addPrefix != null && (!addPrefix.startsWith("/") || addPrefix.endsWith("/"))) {
            throw new IllegalArgumentException("addPrefix must start with '/' and not end with one, was '" + addPrefix + "'");
        }
        timeouts = Check.orDefault(timeouts, new Timeouts(null, null, null));
        retries = Check.orDefault(retries, new Retries(0, null, null, null, 0));
        preserveHost = Check.orDefault(preserveHost, Boolean.TRUE);
        anonymous = Check.orDefault(anonymous, Boolean.TRUE);
        shadow = Check.orDefault(shadow, Boolean.FALSE);
        rateLimits = Check.orDefault(rateLimits, new RateLimits(null, null, null));
        access = Check.orDefault(access, new Access(null, null, null, null));
        forwardCredentials = Check.orDefault(forwardCredentials, Boolean.FALSE);
        if (stickyOn != null) {
            Check.requestKey(stickyOn, "stickyOn");
        }
        errorFormat = Check.orDefault(errorFormat, "problem");
        if (!errorFormat.equals("problem") && !errorFormat.equals("legacy")) {
            throw new IllegalArgumentException("errorFormat must be 'problem' (RFC 9457 problem details) or 'legacy', was '" + errorFormat + "'");
        }
        if (transform != null) {
            for (String variable : transform.pathVariables()) {
                for (String path : match.paths()) {
                    if (!path.contains("{" + variable + "}")) {
                        throw new IllegalArgumentException("transform.path uses {" + variable + "}, which match path '" + path + "' does not capture");
                    }
                }
            }
        }
    }

    public RouteSettings(String id, Match match, List<Destination> upstreams, String stripPrefix, String addPrefix,
                         Timeouts timeouts, Retries retries, Boolean preserveHost, Boolean anonymous, Boolean shadow, RateLimits rateLimits,
                         Access access, Boolean forwardCredentials) {
        this(id, match, upstreams, stripPrefix, addPrefix, timeouts, retries, preserveHost, anonymous, shadow, rateLimits, access, forwardCredentials,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** These settings with a kafka target (and so no upstreams). */
    public RouteSettings withKafka(KafkaTarget kafka) {
        return toBuilder().upstreams(List.of()).kafka(kafka).build();
    }

    /** True when the edge's own errors on this route keep the earlier JSON shape (error, message, requestId). */
    public boolean legacyErrors() {
        return errorFormat.equals("legacy");
    }

    /** These settings with another API contract. */
    public RouteSettings withContract(RoutePolicies.Contract contract) {
        return toBuilder().contract(contract).build();
    }

    /** These settings with another deprecation policy. */
    public RouteSettings withDeprecation(RoutePolicies.Deprecation deprecation) {
        return toBuilder().deprecation(deprecation).build();
    }

    /** These settings with a weighted split that keeps each client, consumer, header or cookie value on one destination. */
    public RouteSettings withStickyOn(String stickyOn) {
        return toBuilder().stickyOn(stickyOn).build();
    }

    /** These settings with other information (owner, tags, API). */
    public RouteSettings withInfo(RoutePolicies.Info info) {
        return toBuilder().info(info).build();
    }

    /** These settings with another error format. */
    public RouteSettings withErrorFormat(String errorFormat) {
        return toBuilder().errorFormat(errorFormat).build();
    }

    /** These settings with another capture policy. */
    public RouteSettings withCapture(RoutePolicies.Capture capture) {
        return toBuilder().capture(capture).build();
    }

    /** These settings with another cache policy. */
    public RouteSettings withCache(RoutePolicies.Cache cache) {
        return toBuilder().cache(cache).build();
    }

    /** These settings with another compression policy. */
    public RouteSettings withCompression(RoutePolicies.Compression compression) {
        return toBuilder().compression(compression).build();
    }

    /** These settings with other traffic policies. */
    public RouteSettings withPolicies(RoutePolicies.Cors cors, RoutePolicies.Mock mock, RoutePolicies.Faults faults, RoutePolicies.Transform transform) {
        return toBuilder().cors(cors).mock(mock).faults(faults).transform(transform).build();
    }

    /** These settings with a mirror of sampled requests to a shadow pool. */
    public RouteSettings withMirror(RoutePolicies.Mirror mirror) {
        return toBuilder().mirror(mirror).build();
    }

    /** These settings with hedged requests. */
    public RouteSettings withHedge(RoutePolicies.Hedge hedge) {
        return toBuilder().hedge(hedge).build();
    }

    /** A builder of a route that matches {@code match} and sends to {@code upstreams}; everything else is left to its default. */
    public static Builder builder(String id, Match match, List<Destination> upstreams) {
        return new Builder().id(id).match(match).upstreams(upstreams);
    }

    /** A builder holding these settings, to make a copy that differs in a few of them. */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.id = id;
        builder.match = match;
        builder.upstreams = upstreams;
        builder.stripPrefix = stripPrefix;
        builder.addPrefix = addPrefix;
        builder.timeouts = timeouts;
        builder.retries = retries;
        builder.preserveHost = preserveHost;
        builder.anonymous = anonymous;
        builder.shadow = shadow;
        builder.rateLimits = rateLimits;
        builder.access = access;
        builder.forwardCredentials = forwardCredentials;
        builder.cors = cors;
        builder.mock = mock;
        builder.faults = faults;
        builder.transform = transform;
        builder.compression = compression;
        builder.cache = cache;
        builder.kafka = kafka;
        builder.capture = capture;
        builder.errorFormat = errorFormat;
        builder.contract = contract;
        builder.deprecation = deprecation;
        builder.info = info;
        builder.stickyOn = stickyOn;
        builder.mirror = mirror;
        builder.hedge = hedge;
        return builder;
    }

    /** Settings one at a time; {@link #build()} checks them all, as the canonical constructor does. */
    public static final class Builder {
        private String id;
        private Match match;
        private List<Destination> upstreams;
        private String stripPrefix;
        private String addPrefix;
        private Timeouts timeouts;
        private Retries retries;
        private Boolean preserveHost;
        private Boolean anonymous;
        private Boolean shadow;
        private RateLimits rateLimits;
        private Access access;
        private Boolean forwardCredentials;
        private RoutePolicies.Cors cors;
        private RoutePolicies.Mock mock;
        private RoutePolicies.Faults faults;
        private RoutePolicies.Transform transform;
        private RoutePolicies.Compression compression;
        private RoutePolicies.Cache cache;
        private KafkaTarget kafka;
        private RoutePolicies.Capture capture;
        private String errorFormat;
        private RoutePolicies.Contract contract;
        private RoutePolicies.Deprecation deprecation;
        private RoutePolicies.Info info;
        private String stickyOn;
        private RoutePolicies.Mirror mirror;
        private RoutePolicies.Hedge hedge;

        private Builder() {
        }

        public Builder id(String id) {
            this.id = id;
            return this;
        }

        public Builder match(Match match) {
            this.match = match;
            return this;
        }

        public Builder upstreams(List<Destination> upstreams) {
            this.upstreams = upstreams;
            return this;
        }

        public Builder stripPrefix(String stripPrefix) {
            this.stripPrefix = stripPrefix;
            return this;
        }

        public Builder addPrefix(String addPrefix) {
            this.addPrefix = addPrefix;
            return this;
        }

        public Builder timeouts(Timeouts timeouts) {
            this.timeouts = timeouts;
            return this;
        }

        public Builder retries(Retries retries) {
            this.retries = retries;
            return this;
        }

        public Builder preserveHost(Boolean preserveHost) {
            this.preserveHost = preserveHost;
            return this;
        }

        public Builder anonymous(Boolean anonymous) {
            this.anonymous = anonymous;
            return this;
        }

        public Builder shadow(Boolean shadow) {
            this.shadow = shadow;
            return this;
        }

        public Builder rateLimits(RateLimits rateLimits) {
            this.rateLimits = rateLimits;
            return this;
        }

        public Builder access(Access access) {
            this.access = access;
            return this;
        }

        public Builder forwardCredentials(Boolean forwardCredentials) {
            this.forwardCredentials = forwardCredentials;
            return this;
        }

        public Builder cors(RoutePolicies.Cors cors) {
            this.cors = cors;
            return this;
        }

        public Builder mock(RoutePolicies.Mock mock) {
            this.mock = mock;
            return this;
        }

        public Builder faults(RoutePolicies.Faults faults) {
            this.faults = faults;
            return this;
        }

        public Builder transform(RoutePolicies.Transform transform) {
            this.transform = transform;
            return this;
        }

        public Builder compression(RoutePolicies.Compression compression) {
            this.compression = compression;
            return this;
        }

        public Builder cache(RoutePolicies.Cache cache) {
            this.cache = cache;
            return this;
        }

        public Builder kafka(KafkaTarget kafka) {
            this.kafka = kafka;
            return this;
        }

        public Builder capture(RoutePolicies.Capture capture) {
            this.capture = capture;
            return this;
        }

        public Builder errorFormat(String errorFormat) {
            this.errorFormat = errorFormat;
            return this;
        }

        public Builder contract(RoutePolicies.Contract contract) {
            this.contract = contract;
            return this;
        }

        public Builder deprecation(RoutePolicies.Deprecation deprecation) {
            this.deprecation = deprecation;
            return this;
        }

        public Builder info(RoutePolicies.Info info) {
            this.info = info;
            return this;
        }

        public Builder stickyOn(String stickyOn) {
            this.stickyOn = stickyOn;
            return this;
        }

        public Builder mirror(RoutePolicies.Mirror mirror) {
            this.mirror = mirror;
            return this;
        }

        public Builder hedge(RoutePolicies.Hedge hedge) {
            this.hedge = hedge;
            return this;
        }

        public RouteSettings build() {
            return new RouteSettings(id, match, upstreams, stripPrefix, addPrefix, timeouts, retries, preserveHost, anonymous, shadow, rateLimits, access, forwardCredentials, cors, mock, faults, transform, compression, cache, kafka, capture, errorFormat, contract, deprecation, info, stickyOn, mirror, hedge);
        }
    }

    public RouteSettings(String id, Match match, List<Destination> upstreams, String stripPrefix, String addPrefix,
                         Timeouts timeouts, Retries retries, Boolean preserveHost, Boolean anonymous, Boolean shadow, RateLimits rateLimits,
                         Access access) {
        this(id, match, upstreams, stripPrefix, addPrefix, timeouts, retries, preserveHost, anonymous, shadow, rateLimits, access, null);
    }

    public RouteSettings(String id, Match match, List<Destination> upstreams, String stripPrefix, String addPrefix,
                         Timeouts timeouts, Retries retries, Boolean preserveHost, Boolean anonymous, Boolean shadow, RateLimits rateLimits) {
        this(id, match, upstreams, stripPrefix, addPrefix, timeouts, retries, preserveHost, anonymous, shadow, rateLimits, null);
    }

    public RouteSettings(String id, Match match, List<Destination> upstreams, String stripPrefix, String addPrefix,
                         Timeouts timeouts, Retries retries, Boolean preserveHost, Boolean anonymous, Boolean shadow) {
        this(id, match, upstreams, stripPrefix, addPrefix, timeouts, retries, preserveHost, anonymous, shadow, null);
    }

    public RouteSettings(String id, Match match, List<Destination> upstreams, String stripPrefix, String addPrefix,
                         Timeouts timeouts, Retries retries, Boolean preserveHost, Boolean anonymous) {
        this(id, match, upstreams, stripPrefix, addPrefix, timeouts, retries, preserveHost, anonymous, null, null);
    }

    /**
     * Token buckets of the route, each optional: one for all its traffic ({@code route}), one per client
     * address ({@code client}), one per consumer on this route ({@code consumer}), on top of the consumers' plans;
     * and one per WebSocket session for the messages a client sends on it ({@code messages}; exceeding it closes
     * the session with 1008).
     */
    public record RateLimits(Rate route, Rate client, Rate consumer, Rate messages) {
        public RateLimits(Rate route, Rate client, Rate consumer) {
            this(route, client, consumer, null);
        }
    }

    /**
     * Who may use the route: the credential schemes it accepts ({@code methods}, all when empty: mtls, apiKey,
     * basic, jwt, introspection), the groups of which a caller must hold one ({@code groups}: the consumer's groups and
     * its token's scopes; none required when empty), and client addresses let in ({@code allowClients}, everyone
     * when empty) or kept out ({@code denyClients}), as CIDR ranges; and how many failed authentications one client
     * address may make in a minute before it is refused with 429 without its credential being checked
     * ({@code authFailuresPerMinute}, 10 by default).
     */
    public record Access(List<String> methods, List<String> groups, List<String> allowClients, List<String> denyClients,
                         Integer authFailuresPerMinute) {
        public static final Set<String> METHODS = Set.of("mtls", "apiKey", "basic", "jwt", "introspection");

        public Access(List<String> methods, List<String> groups, List<String> allowClients, List<String> denyClients) {
            this(methods, groups, allowClients, denyClients, null);
        }

        public Access {
            authFailuresPerMinute = Check.range(Check.orDefault(authFailuresPerMinute, 10), 1, 1_000_000, "authFailuresPerMinute");
            methods = List.copyOf(Check.orDefault(methods, List.of()));
            for (String method : methods) {
                if (!METHODS.contains(method)) {
                    throw new IllegalArgumentException("methods: '" + method + "' is not a credential scheme " + METHODS);
                }
            }
            groups = List.copyOf(Check.orDefault(groups, List.of()));
            allowClients = List.copyOf(Check.orDefault(allowClients, List.of()));
            denyClients = List.copyOf(Check.orDefault(denyClients, List.of()));
            AddressRanges.of(allowClients, "allowClients");
            AddressRanges.of(denyClients, "denyClients");
        }

        /** Whether the route takes credentials of {@code method}. */
        public boolean accepts(String method) {
            return methods.isEmpty() || methods.contains(method);
        }
    }

    /** A sustained rate and the burst spent at once (the rate when unset). */
    public record Rate(double ratePerSecond, double burst) {
        public Rate {
            if (!(ratePerSecond > 0) || ratePerSecond > 1_000_000) {
                throw new IllegalArgumentException("ratePerSecond must be above 0 and at most 1000000, was " + ratePerSecond);
            }
            burst = burst == 0 ? ratePerSecond : burst;
            if (burst < 1 || burst > 10_000_000) {
                throw new IllegalArgumentException("burst must be between 1 and 10000000, was " + burst);
            }
        }
    }

    public RouteSettings(String id, Match match, List<Destination> upstreams, String stripPrefix, String addPrefix,
                         Timeouts timeouts, Retries retries, Boolean preserveHost) {
        this(id, match, upstreams, stripPrefix, addPrefix, timeouts, retries, preserveHost, null);
    }

    /** What a request must look like to take this route; empty lists match anything. */
    public record Match(List<String> hosts, List<String> paths, List<String> methods, Map<String, String> headers) {
        private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT");

        public Match {
            hosts = List.copyOf(Check.orDefault(hosts, List.of())).stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
            paths = List.copyOf(Check.orDefault(paths, List.of("/**")));
            methods = List.copyOf(Check.orDefault(methods, List.of())).stream().map(m -> m.toUpperCase(Locale.ROOT)).toList();
            headers = Map.copyOf(Check.orDefault(headers, Map.of()));
            for (String method : methods) {
                if (!METHODS.contains(method)) {
                    throw new IllegalArgumentException("methods: '" + method + "' is not an HTTP method");
                }
            }
            for (String path : paths) {
                PathPattern.parse(path); // refuses what routing could not match
            }
            for (String host : hosts) {
                if (host.isBlank() || (host.contains("*") && !(host.startsWith("*.") && host.indexOf('*', 1) < 0))) {
                    throw new IllegalArgumentException("hosts: '" + host + "' must be a host name or '*.suffix'");
                }
            }
        }
    }

    /** A weighted share of the route's traffic sent to one pool (canary, blue/green). */
    public record Destination(String pool, Integer weight) {
        public Destination {
            Check.required(pool, "pool");
            weight = weight == null ? 100 : Check.range(weight, 0, 10_000, "weight");
        }
    }

    /** Connect, first-byte (response headers) and idle (between body reads) timeouts; exceeding one answers 504. */
    public record Timeouts(Duration connect, Duration firstByte, Duration idle) {
        public Timeouts {
            connect = Check.positive(Check.orDefault(connect, Duration.ofSeconds(2)), "connect");
            firstByte = Check.positive(Check.orDefault(firstByte, Duration.ofSeconds(30)), "firstByte");
            idle = Check.positive(Check.orDefault(idle, Duration.ofSeconds(60)), "idle");
        }
    }

    /**
     * Retries of idempotent requests on connect failures and the listed statuses, with exponential backoff
     * and full jitter, bounded by a budget: retries may add at most {@code budgetPercent} % to the route's traffic.
     */
    public record Retries(int attempts, List<Integer> onStatus, Duration backoff, Duration maxBackoff, int budgetPercent) {
        public Retries {
            Check.range(attempts, 0, 10, "attempts");
            onStatus = List.copyOf(Check.orDefault(onStatus, List.of(502, 503)));
            for (int status : onStatus) {
                Check.range(status, 500, 599, "onStatus");
            }
            backoff = Check.positive(Check.orDefault(backoff, Duration.ofMillis(25)), "backoff");
            maxBackoff = Check.positive(Check.orDefault(maxBackoff, Duration.ofMillis(250)), "maxBackoff");
            budgetPercent = budgetPercent == 0 ? 20 : Check.range(budgetPercent, 1, 100, "budgetPercent");
        }
    }
}
