package io.eventgate.edge.pipeline;

import java.util.Map;
import java.util.TreeMap;

/**
 * Every kind of error the edge answers itself, as an RFC 9457 problem type: {@code urn:eventgate:problem:CODE} with a
 * short title that never changes for the type (the {@code detail} says what happened to this request). docs/errors.md
 * lists them; a test checks that every code the edge uses is here and there.
 */
public final class Problems {
    public static final String TYPE_PREFIX = "urn:eventgate:problem:";
    private static final Map<String, String> TITLES = new TreeMap<>(Map.ofEntries(
            Map.entry("authentication_unavailable", "Authentication unavailable"),
            Map.entry("bad_event_id", "Bad Last-Event-ID"),
            Map.entry("bad_grpc_timeout", "Bad grpc-timeout"),
            Map.entry("bad_idempotency_key", "Bad Idempotency-Key"),
            Map.entry("bad_path", "Bad path"),
            Map.entry("bad_query", "Bad query string"),
            Map.entry("blocked", "Blocked"),
            Map.entry("body_not_json", "Body is not JSON"),
            Map.entry("body_too_large", "Body too large"),
            Map.entry("body_undecodable", "Body cannot be decoded"),
            Map.entry("circuit_open", "Circuit open"),
            Map.entry("cancelled", "Attempt called off"),
            Map.entry("client_aborted", "Client aborted"),
            Map.entry("connect_failed", "Upstream unreachable"),
            Map.entry("connect_timeout", "Upstream connection timed out"),
            Map.entry("contract_violation", "Request violates the API contract"),
            Map.entry("cors_refused", "Cross-origin request refused"),
            Map.entry("empty_reply", "Empty reply"),
            Map.entry("fault_injected", "Fault injected"),
            Map.entry("first_byte_timeout", "Upstream answer timed out"),
            Map.entry("forbidden", "Forbidden"),
            Map.entry("gone", "API version retired"),
            Map.entry("headers_too_large", "Headers too large"),
            Map.entry("idempotency_key_reused", "Idempotency-Key reused"),
            Map.entry("idle_timeout", "Upstream stalled"),
            Map.entry("internal", "Internal gateway error"),
            Map.entry("kafka_unavailable", "Kafka unavailable"),
            Map.entry("key_missing", "Record key missing"),
            Map.entry("method_not_allowed", "Method not allowed"),
            Map.entry("no_reply", "No reply"),
            Map.entry("no_route", "No route"),
            Map.entry("no_schema", "No schema"),
            Map.entry("no_such_key", "No such key"),
            Map.entry("no_upstream", "No upstream available"),
            Map.entry("not_in_contract", "Not in the API contract"),
            Map.entry("not_websocket", "Not a WebSocket upgrade"),
            Map.entry("quota_exhausted", "Quota exhausted"),
            Map.entry("quota_unavailable", "Quota unavailable"),
            Map.entry("rate_limited", "Rate limited"),
            Map.entry("record_too_large", "Record too large"),
            Map.entry("reset", "Upstream connection reset"),
            Map.entry("route_disabled", "Route disabled"),
            Map.entry("schema_mismatch", "Schema mismatch"),
            Map.entry("schema_registry_unavailable", "Schema registry unavailable"),
            Map.entry("too_many_failed_authentications", "Too many failed authentications"),
            Map.entry("too_many_streams", "Too many streams"),
            Map.entry("unauthenticated", "Unauthenticated"),
            Map.entry("undecodable_record", "Record cannot be decoded"),
            Map.entry("undecodable_reply", "Reply cannot be decoded"),
            Map.entry("unsupported_encoding", "Unsupported content encoding"),
            Map.entry("unsupported_media_type", "Unsupported media type"),
            Map.entry("upgrade_refused", "Upgrade refused"),
            Map.entry("upstream_body", "Upstream body broke off"),
            Map.entry("uri_too_long", "URI too long"),
            Map.entry("view_loading", "View loading")));

    private Problems() {
    }

    /** The type URI of {@code code}. */
    public static String type(String code) {
        return TYPE_PREFIX + code;
    }

    /** The title of {@code code}; a code missing here (a bug the test catches) is titled by its name. */
    public static String title(String code) {
        return TITLES.getOrDefault(code, code.replace('_', ' '));
    }

    /** Every code, in order. */
    public static Map<String, String> all() {
        return java.util.Collections.unmodifiableMap(TITLES);
    }
}
