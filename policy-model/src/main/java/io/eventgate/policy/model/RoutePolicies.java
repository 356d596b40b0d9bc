package io.eventgate.policy.model;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The traffic policies a route may carry besides routing and access: CORS answered at the edge, a mock answer in
 * place of the upstream, injected faults for chaos tests, edits of the request and response on the way through, and
 * captures of sampled requests for replay. Each is validated here, so the edge's YAML and the control topic refuse the same mistakes in the same words.
 */
public final class RoutePolicies {
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE");
    /** Headers that frame the message or the connection: editing them would corrupt it, so no edit may name them. */
    private static final Set<String> FRAMING = Set.of("host", "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade",
            "te", "trailer", "proxy-connection");
    private static final Pattern ORIGIN = Pattern.compile("(https?)://(\\*\\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?");
    private static final Pattern VARIABLE = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private RoutePolicies() {
    }

    /**
     * Cross-origin requests from browsers: which origins may call the route (exact, {@code https://*.example.com}, or
     * {@code *}), with which methods and request headers ({@code *}: any), which response headers their scripts may
     * read, whether with credentials (cookies, Authorization), and how long a preflight answer may be cached.
     */
    public record Cors(List<String> allowOrigins, List<String> allowMethods, List<String> allowHeaders, List<String> exposeHeaders,
                       Boolean allowCredentials, Duration maxAge) {
        public Cors {
            allowOrigins = List.copyOf(Check.required(allowOrigins, "cors.allowOrigins"));
            if (allowOrigins.isEmpty()) {
                throw new IllegalArgumentException("cors.allowOrigins must name at least one origin (or '*')");
            }
            for (String origin : allowOrigins) {
                if (!origin.equals("*") && !ORIGIN.matcher(origin).matches()) {
                    throw new IllegalArgumentException("cors.allowOrigins: '" + origin
                            + "' must be '*' or scheme://host[:port] (host may start with '*.'), without a path");
                }
            }
            allowMethods = List.copyOf(Check.orDefault(allowMethods, List.of("GET", "HEAD", "POST"))).stream()
                    .map(m -> m.toUpperCase(Locale.ROOT)).toList();
            for (String method : allowMethods) {
                if (!METHODS.contains(method)) {
                    throw new IllegalArgumentException("cors.allowMethods: '" + method + "' is not an HTTP method");
                }
            }
            allowHeaders = headerNames(Check.orDefault(allowHeaders, List.of()), "cors.allowHeaders", true);
            exposeHeaders = headerNames(Check.orDefault(exposeHeaders, List.of()), "cors.exposeHeaders", false);
            allowCredentials = Check.orDefault(allowCredentials, Boolean.FALSE);
            if (allowCredentials && (allowOrigins.contains("*") || allowHeaders.contains("*"))) {
                throw new IllegalArgumentException("cors.allowCredentials: browsers refuse credentials with a '*' origin or header list; name them");
            }
            maxAge = Check.orDefault(maxAge, Duration.ofMinutes(10));
            if (maxAge.isNegative() || maxAge.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("cors.maxAge must be between 0 and 24h, was " + maxAge);
            }
        }

        /** Whether {@code origin} (as a browser sends it) may call the route. */
        public boolean allows(String origin) {
            if (origin == null) {
                return false;
            }
            for (String allowed : allowOrigins) {
                if (allowed.equals("*") || allowed.equalsIgnoreCase(origin)) {
                    return true;
                }
                int wildcard = allowed.indexOf("://*.");
                if (wildcard > 0) {
                    String scheme = allowed.substring(0, wildcard + 3);
                    String suffix = allowed.substring(wildcard + 4); // ".example.com[:port]"
                    if (origin.regionMatches(true, 0, scheme, 0, scheme.length()) && origin.length() > scheme.length() + suffix.length()
                            && origin.regionMatches(true, origin.length() - suffix.length(), suffix, 0, suffix.length())
                            && origin.indexOf('/', scheme.length()) < 0) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    /**
     * Compression of the upstream's answers, negotiated from the client's {@code Accept-Encoding} (q-values; on a tie,
     * the order of {@code encodings}): for bodies of at least {@code minBytes} (or of unknown length) whose content type
     * is in {@code contentTypes} ({@code type/*} patterns allowed); never for already-encoded bodies, ranges or
     * {@code no-transform}. With {@code decodeRequests}, request bodies the client sent gzip- or zstd-encoded reach the
     * upstream decoded (for upstreams that cannot read them).
     */
    public record Compression(List<String> encodings, Integer minBytes, List<String> contentTypes, Boolean decodeRequests) {
        public static final Set<String> ENCODINGS = Set.of("gzip", "zstd");

        public Compression {
            // zstd first: with pooled contexts it takes half of gzip's CPU and sends two thirds of its bytes
            encodings = List.copyOf(Check.orDefault(encodings, List.of("zstd", "gzip"))).stream().map(e -> e.toLowerCase(Locale.ROOT)).toList();
            if (encodings.isEmpty()) {
                throw new IllegalArgumentException("compression.encodings must name at least one of " + ENCODINGS);
            }
            for (String encoding : encodings) {
                if (!ENCODINGS.contains(encoding)) {
                    throw new IllegalArgumentException("compression.encodings: '" + encoding + "' is not one of " + ENCODINGS);
                }
            }
            minBytes = Check.range(Check.orDefault(minBytes, 1024), 0, 1 << 30, "compression.minBytes");
            contentTypes = List.copyOf(Check.orDefault(contentTypes, List.of("text/*", "application/json", "application/javascript",
                    "application/xml", "image/svg+xml"))).stream().map(t -> t.toLowerCase(Locale.ROOT)).toList();
            for (String type : contentTypes) {
                if (!type.matches("[a-z0-9.+-]+/([a-z0-9.+-]+|\\*)")) {
                    throw new IllegalArgumentException("compression.contentTypes: '" + type + "' must be type/subtype or type/*");
                }
            }
            decodeRequests = Check.orDefault(decodeRequests, Boolean.FALSE);
        }

        public Compression(List<String> encodings, Integer minBytes, List<String> contentTypes) {
            this(encodings, minBytes, contentTypes, null);
        }

        /** Whether a body of {@code contentType} (parameters ignored) may be compressed. */
        public boolean compresses(String contentType) {
            if (contentType == null) {
                return false;
            }
            int semicolon = contentType.indexOf(';');
            String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
            for (String allowed : contentTypes) {
                if (allowed.equals(type) || allowed.endsWith("/*") && type.startsWith(allowed.substring(0, allowed.length() - 1))) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * The shared response cache: answers to {@code methods} with {@code statuses} are kept for the upstream's
     * {@code s-maxage}/{@code max-age}, or {@code ttl} when it gives none; the key is method, host, path, the query
     * parameters named in {@code keyQuery} (the whole query when unset) and the request headers in {@code keyHeaders},
     * plus the answer's {@code Vary}. Requests with credentials and answers marked private are kept per consumer when
     * {@code perConsumer}, otherwise not at all. Bodies over {@code maxBodyBytes} stream through uncached. A stale answer
     * is revalidated with its validators; within {@code staleIfError} it is served while the upstream fails, and within
     * {@code staleWhileRevalidate} it is served at once while one request revalidates it in the background (the upstream's
     * {@code stale-if-error}/{@code stale-while-revalidate} directives, RFC 5861, take precedence over both).
     */
    public record Cache(Duration ttl, List<String> methods, List<Integer> statuses, List<String> keyQuery, List<String> keyHeaders,
                        Boolean perConsumer, Integer maxBodyBytes, Duration staleIfError, Duration staleWhileRevalidate) {
        public Cache {
            ttl = Check.positive(Check.required(ttl, "cache.ttl"), "cache.ttl");
            methods = List.copyOf(Check.orDefault(methods, List.of("GET", "HEAD"))).stream().map(m -> m.toUpperCase(Locale.ROOT)).toList();
            for (String method : methods) {
                if (!method.equals("GET") && !method.equals("HEAD")) {
                    throw new IllegalArgumentException("cache.methods: only GET and HEAD answers are cached, not " + method);
                }
            }
            statuses = List.copyOf(Check.orDefault(statuses, List.of(200, 203, 300, 301, 404, 410)));
            for (int status : statuses) {
                if (status < 200 || status > 599 || status == 206 || status == 304) {
                    throw new IllegalArgumentException("cache.statuses: " + status + " cannot be cached");
                }
            }
            keyQuery = keyQuery == null ? null : List.copyOf(keyQuery);
            keyHeaders = headerNames(Check.orDefault(keyHeaders, List.of()), "cache.keyHeaders", false);
            perConsumer = Check.orDefault(perConsumer, Boolean.FALSE);
            maxBodyBytes = Check.range(Check.orDefault(maxBodyBytes, 1 << 20), 0, 64 << 20, "cache.maxBodyBytes");
            staleIfError = Check.orDefault(staleIfError, Duration.ZERO);
            if (staleIfError.isNegative()) {
                throw new IllegalArgumentException("cache.staleIfError must not be negative, was " + staleIfError);
            }
            staleWhileRevalidate = Check.orDefault(staleWhileRevalidate, Duration.ZERO);
            if (staleWhileRevalidate.isNegative()) {
                throw new IllegalArgumentException("cache.staleWhileRevalidate must not be negative, was " + staleWhileRevalidate);
            }
        }
    }

    /**
     * Whole requests sampled to {@code gateway.captures} for inspection and {@code ctl replay}: {@code percent} % of the
     * route's requests, head and body up to {@code maxBodyBytes}, with what they were answered. Redaction happens on the
     * edge before anything is published: credentials (Authorization, Proxy-Authorization, the API key header and query
     * parameter) and cookies always, plus the headers in {@code redactHeaders}, the query parameters in
     * {@code redactQuery}, and the JSON body fields in {@code redactJsonFields} (a field name, matched at any depth, or a
     * JSON pointer such as {@code /card/number}); when JSON fields are named, a body that is not readable JSON is left out
     * whole rather than sent unchecked.
     */
    public record Capture(double percent, Integer maxBodyBytes, List<String> redactHeaders, List<String> redactQuery,
                          List<String> redactJsonFields) {
        public Capture {
            if (!(percent > 0) || percent > 100) {
                throw new IllegalArgumentException("capture.percent must be above 0 and at most 100, was " + percent);
            }
            maxBodyBytes = Check.range(Check.orDefault(maxBodyBytes, 64 * 1024), 0, 1 << 20, "capture.maxBodyBytes");
            redactHeaders = headerNames(Check.orDefault(redactHeaders, List.of()), "capture.redactHeaders", false).stream()
                    .map(h -> h.toLowerCase(Locale.ROOT)).toList();
            redactQuery = List.copyOf(Check.orDefault(redactQuery, List.of()));
            for (String name : redactQuery) {
                if (name == null || name.isEmpty()) {
                    throw new IllegalArgumentException("capture.redactQuery: a query parameter name must not be empty");
                }
            }
            redactJsonFields = List.copyOf(Check.orDefault(redactJsonFields, List.of()));
            for (String field : redactJsonFields) {
                if (field == null || field.isEmpty() || field.equals("/")) {
                    throw new IllegalArgumentException("capture.redactJsonFields: '" + field + "' must be a field name or a JSON pointer below the root");
                }
            }
        }
    }

    /**
     * The route's API contract: requests are checked against the OpenAPI 3.0 or 3.1 document at {@code openapi} (a file
     * every edge node reads) before the upstream; a path or method the document lacks is refused, or passed on unchecked
     * with {@code undeclared: pass}; bodies are read up to {@code maxBodyBytes} to be checked. With {@code responses: shadow}
     * the upstream's answers are checked too, passed through whatever they are, and each mismatch reported (contract drift).
     */
    public record Contract(String openapi, String undeclared, Integer maxBodyBytes, String responses) {
        public Contract {
            Check.required(openapi, "contract.openapi");
            if (openapi.isBlank()) {
                throw new IllegalArgumentException("contract.openapi must name an OpenAPI document");
            }
            undeclared = Check.orDefault(undeclared, "refuse");
            if (!undeclared.equals("refuse") && !undeclared.equals("pass")) {
                throw new IllegalArgumentException("contract.undeclared must be 'refuse' or 'pass', was '" + undeclared + "'");
            }
            maxBodyBytes = Check.range(Check.orDefault(maxBodyBytes, 1 << 20), 1, 16 << 20, "contract.maxBodyBytes");
            responses = Check.orDefault(responses, "off");
            if (!responses.equals("off") && !responses.equals("shadow")) {
                throw new IllegalArgumentException("contract.responses must be 'off' or 'shadow' (checked and reported, never blocked), was '" + responses + "'");
            }
        }

        public Contract(String openapi, String undeclared, Integer maxBodyBytes) {
            this(openapi, undeclared, maxBodyBytes, null);
        }

        /** Whether the upstream's answers are checked against the document too, and their drift reported. */
        public boolean checksResponses() {
            return responses.equals("shadow");
        }

        public boolean refusesUndeclared() {
            return undeclared.equals("refuse");
        }
    }

    /**
     * The route is a deprecated API version: from {@code since} its answers carry {@code Deprecation} (RFC 9745) and, with
     * {@code sunset}, {@code Sunset} (RFC 8594), with {@code Link}s to the migration document ({@code link}, as
     * {@code rel="deprecation"} and {@code rel="sunset"}) and to the {@code successor} version. After the sunset it
     * answers 410 naming the successor, unless {@code serveAfterSunset}.
     */
    public record Deprecation(java.time.Instant since, java.time.Instant sunset, String link, String successor, Boolean serveAfterSunset) {
        public Deprecation {
            Check.required(since, "deprecation.since");
            if (sunset != null && sunset.isBefore(since)) {
                throw new IllegalArgumentException("deprecation.sunset (" + sunset + ") must not be before deprecation.since (" + since + ")");
            }
            for (String[] uri : new String[][] {{link, "deprecation.link"}, {successor, "deprecation.successor"}}) {
                if (uri[0] != null && (uri[0].isBlank() || uri[0].chars().anyMatch(c -> c <= ' ' || c == '<' || c == '>' || c == '"'))) {
                    throw new IllegalArgumentException(uri[1] + " must be a URI without spaces, quotes or angle brackets, was '" + uri[0] + "'");
                }
            }
            serveAfterSunset = Check.orDefault(serveAfterSunset, Boolean.FALSE);
        }
    }

    /**
     * A shadow copy of {@code percent} % of the route's requests, sent to {@code pool} after the client's answer is on its
     * way: the client never waits for it, nor sees it. Bodies up to {@code maxBodyBytes} are copied (a request with a
     * larger or unsized body is not mirrored); at most {@code maxInFlight} mirrors of the route run at once, and one past
     * that is dropped and counted rather than let slow the primary. With {@code compare}, the shadow's status, the headers
     * named in {@code compareHeaders} and a SHA-256 of its body are compared with the primary's, and every difference is
     * published on {@code gateway.mirror-diffs}, so a new version can be checked against live traffic before it takes any.
     */
    public record Mirror(String pool, double percent, Integer maxBodyBytes, Integer maxInFlight, Boolean compare, List<String> compareHeaders) {
        public Mirror {
            Check.required(pool, "mirror.pool");
            if (!(percent > 0) || percent > 100) {
                throw new IllegalArgumentException("mirror.percent must be above 0 and at most 100, was " + percent);
            }
            maxBodyBytes = Check.range(Check.orDefault(maxBodyBytes, 64 * 1024), 0, 1 << 20, "mirror.maxBodyBytes");
            maxInFlight = Check.range(Check.orDefault(maxInFlight, 64), 1, 10_000, "mirror.maxInFlight");
            compare = Check.orDefault(compare, Boolean.FALSE);
            compareHeaders = headerNames(Check.orDefault(compareHeaders, List.of()), "mirror.compareHeaders", false).stream()
                    .map(h -> h.toLowerCase(Locale.ROOT)).toList();
        }
    }

    /**
     * Hedged requests, for idempotent methods whose body (if any) is small enough to send twice: when the first attempt has
     * not answered after {@code delay}, or without one after the route's learned {@code percentile} (95 by default) of its
     * recent upstream latencies, a second attempt goes to another instance, and the first good answer (not a 5xx or a
     * failure) is relayed while the other is cancelled. Hedges add at most {@code budgetPercent} % (10 by default) to the
     * route's upstream requests.
     */
    public record Hedge(Duration delay, Integer percentile, Integer budgetPercent) {
        public Hedge {
            if (delay != null) {
                Check.positive(delay, "hedge.delay");
            }
            if (delay != null && percentile != null) {
                throw new IllegalArgumentException("hedge takes a fixed delay or a learned percentile, not both");
            }
            percentile = Check.range(Check.orDefault(percentile, 95), 50, 99, "hedge.percentile");
            budgetPercent = Check.range(Check.orDefault(budgetPercent, 10), 1, 100, "hedge.budgetPercent");
        }

        /** Whether the delay is learned from the route's latencies rather than fixed. */
        public boolean learned() {
            return delay == null;
        }
    }

    /** What an organisation knows about a route: who owns it, its tags ({@code public} among them), the API it belongs to. */
    public record Info(String owner, List<String> tags, String api) {
        public static final Info NONE = new Info(null, null, null);

        public Info {
            tags = List.copyOf(Check.orDefault(tags, List.of()));
        }
    }

    /** A fixed answer the route gives itself, in place of any upstream: stubs, maintenance pages. */
    public record Mock(int status, Map<String, String> headers, String body) {
        public Mock {
            Check.range(status, 200, 599, "mock.status");
            headers = Map.copyOf(Check.orDefault(headers, Map.of()));
            headerNames(List.copyOf(headers.keySet()), "mock.headers", false);
            body = Check.orDefault(body, "");
        }
    }

    /**
     * Faults injected for chaos tests: a delay before the request goes on, or an answer with an error status in place
     * of the upstream's, each for a share of the requests; only for requests carrying {@code onlyWithHeader} when set.
     */
    public record Faults(Delay delay, Abort abort, String onlyWithHeader) {
        public Faults {
            if (delay == null && abort == null) {
                throw new IllegalArgumentException("faults needs a delay, an abort or both");
            }
            if (onlyWithHeader != null) {
                headerNames(List.of(onlyWithHeader), "faults.onlyWithHeader", false);
            }
        }

        /** Holds {@code percent} % of the requests for {@code duration} (at most a minute). */
        public record Delay(double percent, Duration duration) {
            public Delay {
                checkPercent(percent, "faults.delay.percent");
                Check.positive(Check.required(duration, "faults.delay.duration"), "faults.delay.duration");
                if (duration.compareTo(Duration.ofMinutes(1)) > 0) {
                    throw new IllegalArgumentException("faults.delay.duration must be at most 1m, was " + duration);
                }
            }
        }

        /** Answers {@code percent} % of the requests with {@code status} (400-599) without calling the upstream. */
        public record Abort(double percent, int status) {
            public Abort {
                checkPercent(percent, "faults.abort.percent");
                Check.range(status, 400, 599, "faults.abort.status");
            }
        }

        private static void checkPercent(double value, String field) {
            if (!(value > 0) || value > 100) {
                throw new IllegalArgumentException(field + " must be above 0 and at most 100, was " + value);
            }
        }
    }

    /**
     * Edits on the way through: request headers and query parameters before the upstream, the upstream path from a
     * template of the route's path variables ({@code /users/{id}} matched, {@code /v2/people/{id}} sent), and the
     * response headers before the client.
     */
    public record Transform(HeaderEdits requestHeaders, QueryEdits query, String path, HeaderEdits responseHeaders, JsonEdits requestBody,
                            JsonEdits responseBody, Integer maxBodyBytes) {
        public Transform {
            requestHeaders = Check.orDefault(requestHeaders, HeaderEdits.NONE);
            query = Check.orDefault(query, QueryEdits.NONE);
            responseHeaders = Check.orDefault(responseHeaders, HeaderEdits.NONE);
            if (path != null && !path.startsWith("/")) {
                throw new IllegalArgumentException("transform.path must start with '/', was '" + path + "'");
            }
            maxBodyBytes = Check.range(Check.orDefault(maxBodyBytes, 64 * 1024), 1, 16 << 20, "transform.maxBodyBytes");
        }

        public Transform(HeaderEdits requestHeaders, QueryEdits query, String path, HeaderEdits responseHeaders) {
            this(requestHeaders, query, path, responseHeaders, null, null, null);
        }

        /** The names of the path variables {@code transform.path} uses. */
        public List<String> pathVariables() {
            return path == null ? List.of() : VARIABLE.matcher(path).results().map(m -> m.group(1)).toList();
        }

        /** {@code transform.path} with each {@code {name}} replaced by its value. */
        public String expandPath(Map<String, String> variables) {
            return VARIABLE.matcher(path).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(variables.getOrDefault(m.group(1), "")));
        }
    }

    /**
     * Edits of a JSON body's fields, named by JSON Pointer ({@code /user/id}), applied in this order: remove, rename (move
     * to another pointer), set (any JSON value, creating the objects on the way).
     */
    public record JsonEdits(List<String> remove, Map<String, String> rename, Map<String, Object> set) {
        public JsonEdits {
            remove = List.copyOf(Check.orDefault(remove, List.of()));
            rename = Map.copyOf(Check.orDefault(rename, Map.of()));
            set = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(Check.orDefault(set, Map.of())));
            List<String> pointers = new java.util.ArrayList<>(remove);
            pointers.addAll(rename.keySet());
            pointers.addAll(rename.values());
            pointers.addAll(set.keySet());
            for (String pointer : pointers) {
                if (pointer == null || !pointer.startsWith("/") || pointer.length() < 2) {
                    throw new IllegalArgumentException("body edits name fields by JSON Pointer ('/name', '/user/id'), not '" + pointer + "'");
                }
                com.fasterxml.jackson.core.JsonPointer.compile(pointer);
            }
        }
    }

    /** Header edits, applied in this order: remove, rename (old name to new), set (replacing), add (beside any). */
    public record HeaderEdits(List<String> remove, Map<String, String> rename, Map<String, String> set, Map<String, String> add) {
        public static final HeaderEdits NONE = new HeaderEdits(null, null, null, null);

        public HeaderEdits {
            remove = headerNames(Check.orDefault(remove, List.of()), "headers.remove", false);
            rename = Map.copyOf(Check.orDefault(rename, Map.of()));
            headerNames(List.copyOf(rename.keySet()), "headers.rename", false);
            headerNames(List.copyOf(rename.values()), "headers.rename", false);
            set = Map.copyOf(Check.orDefault(set, Map.of()));
            headerNames(List.copyOf(set.keySet()), "headers.set", false);
            add = Map.copyOf(Check.orDefault(add, Map.of()));
            headerNames(List.copyOf(add.keySet()), "headers.add", false);
            for (String value : set.values()) {
                value(value, "headers.set");
            }
            for (String value : add.values()) {
                value(value, "headers.add");
            }
        }

        public boolean isEmpty() {
            return remove.isEmpty() && rename.isEmpty() && set.isEmpty() && add.isEmpty();
        }
    }

    /** Query parameter edits: remove, set (replacing every value), add (beside any). Names and values are sent encoded. */
    public record QueryEdits(List<String> remove, Map<String, String> set, Map<String, String> add) {
        public static final QueryEdits NONE = new QueryEdits(null, null, null);

        public QueryEdits {
            remove = List.copyOf(Check.orDefault(remove, List.of()));
            set = Map.copyOf(Check.orDefault(set, Map.of()));
            add = Map.copyOf(Check.orDefault(add, Map.of()));
        }

        public boolean isEmpty() {
            return remove.isEmpty() && set.isEmpty() && add.isEmpty();
        }
    }

    private static List<String> headerNames(List<String> names, String field, boolean wildcard) {
        for (String name : names) {
            if (wildcard && name.equals("*")) {
                continue;
            }
            if (name == null || !TOKEN.matcher(name).matches()) {
                throw new IllegalArgumentException(field + ": '" + name + "' is not a header name");
            }
            if (FRAMING.contains(name.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException(field + ": '" + name + "' frames the message or the connection and cannot be edited");
            }
        }
        return List.copyOf(names);
    }

    private static void value(String value, String field) {
        if (value == null || value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
            throw new IllegalArgumentException(field + ": a header value must not be empty of text or hold CR, LF or NUL");
        }
    }
}
