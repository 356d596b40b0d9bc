package io.eventgate.edge.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import io.eventgate.avro.DecisionKind;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.pipeline.ClientConnection;
import io.eventgate.edge.pipeline.Decisions;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Protocol;
import io.eventgate.edge.pipeline.Replies;
import io.eventgate.edge.pipeline.Step;
import io.eventgate.policy.model.RoutePolicies;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Requests checked against the route's OpenAPI document before anything reaches the upstream: the path (as the client
 * sent it, or without the prefix the route strips, for a document of the upstream's paths) and method must
 * be an operation of it (404 and 405 otherwise, or passed on unchecked with {@code undeclared: pass}), its path, query and
 * header parameters present when required and valid against their schemas, the body of a declared media type (415) and,
 * for JSON, valid against the operation's schema within {@code maxBodyBytes} (413 past it). Every violation is named with
 * a JSON pointer into the request ({@code /query/limit}, {@code /header/x-tenant}, {@code /body/amount}) in one 400, and
 * recorded as a CONTRACT_VIOLATION decision. With {@code responses: shadow} the upstream's answer is copied as it goes
 * to the client and checked afterwards (declared status, media type, JSON body): a mismatch is passed through and
 * reported as a CONTRACT_DRIFT decision and in {@code edge_contract_drift_total{route,operation,kind}}.
 */
public final class ContractStep implements Step {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Violations named in one drift report at most; the count says how many there were. */
    private static final int REPORTED = 5;

    private final String nodeId;
    private final MeterRegistry meters;

    public ContractStep(String nodeId, MeterRegistry meters) {
        this.nodeId = nodeId;
        this.meters = meters;
    }

    /** One thing wrong with a request: where, as a JSON pointer into it, and what. */
    record Violation(String pointer, String message) {
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        RoutePolicies.Contract policy = exchange.route().settings().contract();
        if (policy == null || exchange.protocol() != Protocol.HTTP) {
            next.proceed(exchange);
            return;
        }
        Contract contract = exchange.route().contract();
        Contract.Lookup found = contract.find(exchange.method(), exchange.path());
        String strip = exchange.route().settings().stripPrefix();
        if (found.operation() == null && found.allowedMethods().isEmpty() && strip != null && exchange.path().startsWith(strip + "/")) {
            // a document of the upstream's paths, as imported under a prefix the route strips
            found = contract.find(exchange.method(), exchange.path().substring(strip.length()));
        }
        if (found.operation() == null) {
            if (!found.allowedMethods().isEmpty()) {
                exchange.client().header("Allow", String.join(", ", found.allowedMethods()));
                Replies.json(exchange, 405, RequestOutcome.REJECTED, "method_not_allowed",
                        "the API's contract has no " + exchange.method() + " on " + exchange.path());
            } else if (policy.refusesUndeclared()) {
                Replies.json(exchange, 404, RequestOutcome.REJECTED, "not_in_contract", "the API's contract has no operation on " + exchange.path());
            } else {
                next.proceed(exchange);
            }
            return;
        }
        Contract.Operation operation = found.operation();
        List<Violation> violations = new ArrayList<>();
        for (Contract.Param param : operation.params()) {
            List<String> values = switch (param.in()) {
                case "path" -> found.variables().containsKey(param.name()) ? List.of(found.variables().get(param.name())) : List.of();
                case "query" -> exchange.queryParameters().getOrDefault(param.name(), List.of());
                case "header" -> exchange.headers().all(param.name());
                default -> null; // cookies are not checked
            };
            if (values == null) {
                continue;
            }
            String where = "/" + param.in() + "/" + pointerToken(param.in().equals("header") ? param.name().toLowerCase(Locale.ROOT) : param.name());
            if (values.isEmpty()) {
                if (param.required()) {
                    violations.add(new Violation(where, "required " + param.in() + " parameter '" + param.name() + "' is missing"));
                }
                continue;
            }
            if (param.schema() != null) {
                check(param.schema(), value(param.type(), values), where, violations);
            }
        }
        ClientConnection client = exchange.client();
        byte[] body = null;
        if (!operation.bodies().isEmpty()) {
            boolean hasBody = client.hasRequestBody() && client.requestContentLength() != 0;
            String type = mediaType(exchange.header("content-type"));
            if (!hasBody) {
                if (operation.bodyRequired()) {
                    violations.add(new Violation("/body", "a request body is required"));
                }
            } else if (declaredType(operation.bodies(), type) == null) {
                Replies.json(exchange, 415, RequestOutcome.REJECTED, "unsupported_media_type",
                        "the body must be " + String.join(" or ", operation.bodies().keySet()) + (type == null ? "" : ", not " + type));
                return;
            } else {
                body = read(client, policy.maxBodyBytes());
                if (body == null) {
                    Replies.json(exchange, 413, RequestOutcome.REJECTED, "body_too_large",
                            "the body exceeds the " + policy.maxBodyBytes() + " bytes the contract check reads");
                    return;
                }
                Schema schema = operation.bodies().get(declaredType(operation.bodies(), type));
                if (schema != null && isJson(type)) {
                    JsonNode tree;
                    try {
                        tree = JSON.readTree(body);
                    } catch (IOException e) {
                        tree = null;
                    }
                    if (tree == null) {
                        violations.add(new Violation("/body", "the body is not JSON"));
                    } else {
                        check(schema, tree, "/body", violations);
                    }
                }
            }
        }
        if (!violations.isEmpty()) {
            exchange.decided(Decisions.of(exchange, nodeId, DecisionKind.CONTRACT_VIOLATION, "contract:" + exchange.route().id(), 0, null, null, null,
                    operation.method() + " " + operation.template() + ": " + summary(violations), false), true);
            List<Map<String, String>> errors = violations.stream().map(v -> Map.of("pointer", v.pointer(), "message", v.message())).toList();
            Replies.json(exchange, 400, RequestOutcome.REJECTED, "contract_violation", violations.size() == 1 ? violations.getFirst().message()
                    : violations.size() + " violations of the API's contract, each in errors", Map.of("errors", errors));
            return;
        }
        ClientConnection passed = body == null ? client : new ReadBody(client, body); // the upstream gets the body the check read
        ResponseCopy answer = policy.checksResponses() ? new ResponseCopy(passed, policy.maxBodyBytes()) : null;
        if (passed == client && answer == null) {
            next.proceed(exchange);
            return;
        }
        exchange.divertClient(answer != null ? answer : passed);
        try {
            next.proceed(exchange);
        } finally {
            exchange.divertClient(client);
        }
        if (answer != null && exchange.outcome() == RequestOutcome.PROXIED) {
            reportDrift(exchange, operation, answer);
        }
    }

    /** Checks the upstream's answer against the operation's responses: each mismatch is reported, none is blocked. */
    private void reportDrift(Exchange exchange, Contract.Operation operation, ResponseCopy answer) {
        List<Violation> drift = new ArrayList<>();
        String kind;
        Map<String, Schema> declared = operation.response(answer.status());
        String type = mediaType(answer.contentType());
        if (declared == null) {
            kind = "status";
            drift.add(new Violation("/status", "status " + answer.status() + " is not a declared response"));
        } else if (declared.isEmpty()) {
            return; // the document says nothing about this answer's body
        } else if (declaredType(declared, type) == null) {
            kind = "media_type";
            drift.add(new Violation("/header/content-type", (type == null ? "no content type" : type) + " is not one of " + declared.keySet()));
        } else {
            kind = "body";
            Schema schema = declared.get(declaredType(declared, type));
            byte[] body = answer.body();
            if (schema == null || body == null || !isJson(type)) {
                return; // nothing to check it against, or too large or encoded to check
            }
            try {
                check(schema, JSON.readTree(body), "/body", drift);
            } catch (IOException notJson) {
                drift.add(new Violation("/body", "the body is not JSON"));
            }
        }
        if (drift.isEmpty()) {
            return;
        }
        String operationName = operation.method() + " " + operation.template();
        meters.counter("edge.contract.drift", "route", exchange.route().id(), "operation", operationName, "kind", kind).increment();
        exchange.decided(Decisions.of(exchange, nodeId, DecisionKind.CONTRACT_DRIFT, "contract:" + exchange.route().id(), 0, null, null, null,
                operationName + " answered " + answer.status() + ": " + summary(drift), true), false);
    }

    private static String summary(List<Violation> violations) {
        String named = violations.stream().limit(REPORTED).map(v -> v.pointer() + " " + v.message()).collect(java.util.stream.Collectors.joining("; "));
        return violations.size() > REPORTED ? named + "; and " + (violations.size() - REPORTED) + " more" : named;
    }

    private static void check(Schema schema, JsonNode value, String where, List<Violation> violations) {
        for (Error error : schema.validate(value)) {
            String at = error.getInstanceLocation() == null ? "" : error.getInstanceLocation().toString();
            violations.add(new Violation(where + (at.equals("/") ? "" : at), error.getMessage()));
        }
    }

    /** A parameter's text as the JSON value its schema expects, so that "7" is checked as the integer 7. */
    private static JsonNode value(String type, List<String> values) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        if ("array".equals(type)) {
            ArrayNode array = nodes.arrayNode();
            values.forEach(array::add);
            return array;
        }
        String text = values.getFirst();
        try {
            return switch (type == null ? "string" : type) {
                case "integer" -> text.matches("-?[0-9]+") ? nodes.numberNode(new java.math.BigInteger(text)) : nodes.textNode(text);
                case "number" -> nodes.numberNode(new BigDecimal(text));
                case "boolean" -> text.equals("true") || text.equals("false") ? nodes.booleanNode(Boolean.parseBoolean(text)) : nodes.textNode(text);
                default -> nodes.textNode(text);
            };
        } catch (NumberFormatException notANumber) {
            return nodes.textNode(text); // the schema says what is wrong with it
        }
    }

    private static String mediaType(String contentType) {
        if (contentType == null) {
            return null;
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    /** The media range of {@code declared} that {@code type} falls under, the most specific first (exact, {@code type/*}, {@code *}{@code /*}); null if none. */
    private static String declaredType(Map<String, Schema> declared, String type) {
        if (type == null) {
            return null;
        }
        for (String range : new String[] {type, type.substring(0, type.indexOf('/') + 1) + "*", "*/*"}) {
            if (declared.containsKey(range)) {
                return range;
            }
        }
        return null;
    }

    private static boolean isJson(String type) {
        return type.equals("application/json") || type.startsWith("application/") && type.endsWith("+json");
    }

    /** The whole body, or null when it is longer than {@code max}. */
    private static byte[] read(ClientConnection client, int max) {
        try (InputStream in = client.requestBody()) {
            byte[] bytes = in.readNBytes(max + 1);
            return bytes.length > max ? null : bytes;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String pointerToken(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }
}
