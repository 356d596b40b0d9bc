package io.eventgate.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * A client of the Confluent Schema Registry REST API (register, look up by id, latest version,
 * compatibility check, subjects), with an id/schema cache and bounded retries of transient failures.
 *
 * <p>Written here because Confluent's own client library is not published to Maven Central, the only
 * repository this project builds from; it speaks the same API, so Confluent's registry and the
 * project's embedded registry are interchangeable behind it.
 */
public final class SchemaRegistryClient {
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Validated connection settings. */
    public record Settings(List<URI> urls, int maxAttempts, Duration requestTimeout, Duration initialBackoff) {
        public Settings {
            if (urls == null || urls.isEmpty()) {
                throw new IllegalArgumentException("schema.registry.url must name at least one registry URL");
            }
            for (URI url : urls) {
                if (url.getScheme() == null || !url.getScheme().startsWith("http") || url.getHost() == null) {
                    throw new IllegalArgumentException("schema.registry.url '" + url + "' is not an http(s) URL");
                }
            }
            if (maxAttempts < 1 || maxAttempts > 20) {
                throw new IllegalArgumentException("registry max attempts must be between 1 and 20, was " + maxAttempts);
            }
            urls = List.copyOf(urls);
        }

        /** Settings for one or more comma-separated URLs, with 3 attempts and 5 s per request. */
        public static Settings of(String commaSeparatedUrls) {
            if (commaSeparatedUrls == null || commaSeparatedUrls.isBlank()) {
                throw new IllegalArgumentException("schema.registry.url is required");
            }
            List<URI> urls = new ArrayList<>();
            for (String url : commaSeparatedUrls.split(",")) {
                String trimmed = url.trim();
                urls.add(URI.create(trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed));
            }
            return new Settings(urls, 3, Duration.ofSeconds(5), Duration.ofMillis(100));
        }
    }

    private final Settings settings;
    private final HttpClient http;
    private final Retry retry;
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<String, Integer> idsBySubjectAndSchema = new ConcurrentHashMap<>();

    public SchemaRegistryClient(Settings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().connectTimeout(settings.requestTimeout()).build();
        this.retry = Retry.of("schema-registry", RetryConfig.custom()
                .maxAttempts(settings.maxAttempts())
                .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(settings.initialBackoff(), 2.0, 0.5))
                .retryOnException(e -> e instanceof SchemaRegistryException s && s.transientFailure())
                .build());
    }

    public static SchemaRegistryClient of(String commaSeparatedUrls) {
        return new SchemaRegistryClient(Settings.of(commaSeparatedUrls));
    }

    public Settings settings() {
        return settings;
    }

    /** Registers the schema under the subject (a no-op returning the existing id if already there) and returns its global id. */
    public int register(String subject, Schema schema) {
        String cacheKey = subject + '\u0000' + schema.toString();
        Integer cached = idsBySubjectAndSchema.get(cacheKey);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = call("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema));
        int id = answer.path("id").asInt(-1);
        if (id < 0) {
            throw new SchemaRegistryException(200, 50001, "registry answered a registration under '" + subject + "' without an id: " + answer);
        }
        idsBySubjectAndSchema.put(cacheKey, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    /** The schema with this global id; throws {@link SchemaRegistryException} with code 40403 if the registry has none. */
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = call("GET", "/schemas/ids/" + id, null);
        Schema schema = parse(answer.path("schema").asText(), "schema id " + id);
        schemasById.putIfAbsent(id, schema);
        return schema;
    }

    /** The latest version of the subject. */
    public RegisteredSchema latest(String subject) {
        return version(subject, "latest");
    }

    /** One version of the subject ({@code latest} or a number). */
    public RegisteredSchema version(String subject, String version) {
        JsonNode answer = call("GET", "/subjects/" + encode(subject) + "/versions/" + version, null);
        return toRegistered(answer);
    }

    /** The version of the subject holding exactly this schema, if registered. */
    public Optional<RegisteredSchema> lookup(String subject, Schema schema) {
        try {
            return Optional.of(toRegistered(call("POST", "/subjects/" + encode(subject), schemaBody(schema))));
        } catch (SchemaRegistryException e) {
            if (e.httpStatus() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Whether the schema may be registered under the subject given the subject's compatibility level. */
    public boolean isCompatible(String subject, Schema schema) {
        JsonNode answer = call("POST", "/compatibility/subjects/" + encode(subject) + "/versions/latest", schemaBody(schema));
        return answer.path("is_compatible").asBoolean(false);
    }

    /** Every subject the registry holds. */
    public List<String> subjects() {
        JsonNode answer = call("GET", "/subjects", null);
        List<String> subjects = new ArrayList<>();
        answer.forEach(n -> subjects.add(n.asText()));
        return subjects;
    }

    private RegisteredSchema toRegistered(JsonNode answer) {
        int id = answer.path("id").asInt();
        Schema schema = schemasById.computeIfAbsent(id, i -> parse(answer.path("schema").asText(), "schema id " + i));
        return new RegisteredSchema(answer.path("subject").asText(), answer.path("version").asInt(), id, schema);
    }

    private static Schema parse(String text, String what) {
        try {
            return new Schema.Parser().parse(text);
        } catch (RuntimeException e) {
            throw new SchemaRegistryException(200, SchemaRegistryException.INVALID_SCHEMA, "registry returned an unparsable schema for " + what + ": " + e.getMessage(), e);
        }
    }

    private static String schemaBody(Schema schema) {
        ObjectNode body = JSON.createObjectNode();
        body.put("schema", schema.toString());
        return body.toString();
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode call(String method, String path, String body) {
        try {
            return retry.executeCallable(() -> callAnyUrl(method, path, body));
        } catch (SchemaRegistryException e) {
            throw e;
        } catch (Exception e) {
            throw new SchemaRegistryException(0, 0, method + " " + path + " failed: " + e.getMessage(), e);
        }
    }

    /** Tries each configured URL in turn; the first answer that is not a transport failure wins. */
    private JsonNode callAnyUrl(String method, String path, String body) {
        SchemaRegistryException last = null;
        for (URI base : settings.urls()) {
            try {
                return callOnce(base, method, path, body);
            } catch (SchemaRegistryException e) {
                if (!e.unreachable()) {
                    throw e;
                }
                last = e;
            }
        }
        throw last;
    }

    private JsonNode callOnce(URI base, String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(settings.requestTimeout())
                .header("Accept", CONTENT_TYPE + ", application/json");
        if (body != null) {
            request.header("Content-Type", CONTENT_TYPE).method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new SchemaRegistryException(0, 0, "schema registry " + base + " unreachable for " + method + " " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException(0, 0, "interrupted while calling schema registry " + base, e);
        }
        JsonNode json;
        try {
            json = response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new SchemaRegistryException(response.statusCode(), response.statusCode(),
                    "schema registry " + base + " answered " + method + " " + path + " with non-JSON: " + abbreviate(response.body()), e);
        }
        if (response.statusCode() / 100 != 2) {
            int code = json.path("error_code").asInt(response.statusCode());
            String message = json.path("message").asText(abbreviate(response.body()));
            throw new SchemaRegistryException(response.statusCode(), code,
                    "schema registry " + method + " " + path + " -> " + response.statusCode() + " (error " + code + "): " + message);
        }
        return json;
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
