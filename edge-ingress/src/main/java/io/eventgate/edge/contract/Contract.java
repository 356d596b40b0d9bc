package io.eventgate.edge.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.path.PathType;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.core.util.Json31;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OpenAPI 3.0 or 3.1 document compiled for request validation: each operation's path template as a pattern, its
 * parameters and its request body's media types, every schema compiled once with the JSON Schema dialect of the
 * document's version. The document is parsed by swagger-parser with every {@code $ref} resolved; schemas are checked by
 * networknt's json-schema-validator.
 */
public final class Contract {
    private static final Map<String, Loaded> CACHE = new ConcurrentHashMap<>();
    private static final Pattern TEMPLATE_VARIABLE = Pattern.compile("\\{([^}/]+)}");

    private record Loaded(long modified, Contract contract) {
    }

    /** One parameter to check: where it comes from, whether it must be there, its schema (null: any value). */
    record Param(String name, String in, boolean required, Schema schema, String type) {
    }

    /** One method on one path template. */
    record Operation(String method, String template, Pattern pattern, List<String> variables, List<Param> params, boolean bodyRequired,
                     Map<String, Schema> bodies, Map<String, Map<String, Schema>> responses) {
        /** The declared answers for {@code status}: its own, its class ({@code 2XX}), or {@code default}; null when none. */
        Map<String, Schema> response(int status) {
            Map<String, Schema> exact = responses.get(Integer.toString(status));
            if (exact != null) {
                return exact;
            }
            Map<String, Schema> range = responses.get(status / 100 + "XX");
            return range != null ? range : responses.get("default");
        }
    }

    /** What a request finds in the document: its operation and path variables, or that its path or method is not there. */
    record Lookup(Operation operation, Map<String, String> variables, Set<String> allowedMethods) {
    }

    private final String source;
    private final List<Operation> operations;

    private Contract(String source, List<Operation> operations) {
        this.source = source;
        this.operations = operations;
    }

    /** The document at {@code file}, parsed once per modification. */
    public static Contract load(String file) {
        Path path = Path.of(file);
        long modified;
        try {
            modified = Files.getLastModifiedTime(path).toMillis();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("contract.openapi: cannot read " + file + ": " + e.getMessage());
        }
        Loaded loaded = CACHE.get(file);
        if (loaded == null || loaded.modified() != modified) {
            loaded = new Loaded(modified, parse(path));
            CACHE.put(file, loaded);
        }
        return loaded.contract();
    }

    private static Contract parse(Path path) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setResolveFully(true);
        // by location, so that a $ref to another file resolves next to the document
        SwaggerParseResult result = new OpenAPIV3Parser().readLocation(path.toAbsolutePath().toString(), null, options);
        OpenAPI api = result.getOpenAPI();
        if (api == null || api.getPaths() == null) {
            throw new IllegalArgumentException("contract.openapi: " + path + " is not an OpenAPI document: " + result.getMessages());
        }
        if (result.getMessages() != null && !result.getMessages().isEmpty()) {
            java.util.logging.Logger.getLogger(Contract.class.getName()).warning("contract " + path + ": " + result.getMessages());
        }
        boolean v31 = api.getOpenapi() != null && api.getOpenapi().startsWith("3.1");
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(v31 ? Dialects.getOpenApi31() : Dialects.getOpenApi30(),
                builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder().pathType(PathType.JSON_POINTER).build()));
        List<Operation> operations = new ArrayList<>();
        api.getPaths().forEach((template, item) -> item.readOperationsMap().forEach((method, operation) -> {
            List<Parameter> parameters = new ArrayList<>();
            if (item.getParameters() != null) {
                parameters.addAll(item.getParameters());
            }
            if (operation.getParameters() != null) {
                parameters.addAll(operation.getParameters()); // an operation's own parameter overrides the path item's of the same name
            }
            Map<String, Param> params = new LinkedHashMap<>();
            for (Parameter p : parameters) {
                JsonNode schema = p.getSchema() == null ? null : tree(p.getSchema(), v31);
                String type = schema == null ? null : schema.path("type").isArray() ? schema.path("type").get(0).asText() : schema.path("type").asText(null);
                params.put(p.getIn() + ":" + p.getName(), new Param(p.getName(), p.getIn(), Boolean.TRUE.equals(p.getRequired()) || "path".equals(p.getIn()),
                        schema == null ? null : registry.getSchema(schema), type));
            }
            Map<String, Schema> bodies = new LinkedHashMap<>();
            boolean bodyRequired = false;
            if (operation.getRequestBody() != null && operation.getRequestBody().getContent() != null) {
                bodyRequired = Boolean.TRUE.equals(operation.getRequestBody().getRequired());
                for (Map.Entry<String, MediaType> media : operation.getRequestBody().getContent().entrySet()) {
                    bodies.put(media.getKey().toLowerCase(Locale.ROOT),
                            media.getValue().getSchema() == null ? null : registry.getSchema(tree(media.getValue().getSchema(), v31)));
                }
            }
            Map<String, Map<String, Schema>> responses = new LinkedHashMap<>();
            if (operation.getResponses() != null) {
                operation.getResponses().forEach((code, response) -> {
                    Map<String, Schema> media = new LinkedHashMap<>();
                    if (response.getContent() != null) {
                        response.getContent().forEach((type, content) -> media.put(type.toLowerCase(Locale.ROOT),
                                content.getSchema() == null ? null : registry.getSchema(tree(content.getSchema(), v31))));
                    }
                    responses.put(code.equalsIgnoreCase("default") ? "default" : code.toUpperCase(Locale.ROOT), media);
                });
            }
            List<String> variables = new ArrayList<>();
            Matcher m = TEMPLATE_VARIABLE.matcher(template);
            StringBuilder regex = new StringBuilder();
            int last = 0;
            while (m.find()) {
                regex.append(Pattern.quote(template.substring(last, m.start()))).append("([^/]+)");
                variables.add(m.group(1));
                last = m.end();
            }
            regex.append(Pattern.quote(template.substring(last)));
            operations.add(new Operation(method.name(), template, Pattern.compile(regex.toString()), variables, List.copyOf(params.values()), bodyRequired,
                    bodies, responses));
        }));
        // literal segments win over variables, as OpenAPI says: /users/me before /users/{id}
        operations.sort(java.util.Comparator.comparingInt((Operation o) -> o.variables().size()).thenComparing(Operation::template));
        return new Contract(path.toString(), List.copyOf(operations));
    }

    private static JsonNode tree(io.swagger.v3.oas.models.media.Schema<?> schema, boolean v31) {
        JsonNode node = (v31 ? Json31.mapper() : Json.mapper()).valueToTree(schema);
        return node == null ? JsonNodeFactory.instance.objectNode() : node;
    }

    /** The operation for {@code method} on {@code path}; with none, the methods the path has (empty when the path is not there). */
    Lookup find(String method, String path) {
        Set<String> allowed = new TreeSet<>();
        for (Operation operation : operations) {
            Matcher m = operation.pattern().matcher(path);
            if (!m.matches()) {
                continue;
            }
            if (operation.method().equals(method)) {
                Map<String, String> variables = new LinkedHashMap<>();
                for (int i = 0; i < operation.variables().size(); i++) {
                    variables.put(operation.variables().get(i), java.net.URLDecoder.decode(m.group(i + 1).replace("+", "%2B"),
                            java.nio.charset.StandardCharsets.UTF_8));
                }
                return new Lookup(operation, variables, allowed);
            }
            allowed.add(operation.method());
        }
        return new Lookup(null, Map.of(), allowed);
    }

    String source() {
        return source;
    }

    /** Every operation, for tests and the catalog: {@code METHOD template}. */
    public List<String> operations() {
        return operations.stream().map(o -> o.method() + " " + o.template()).toList();
    }
}
