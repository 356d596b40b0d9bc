package io.eventgate.ctl;

import io.eventgate.avro.EntityType;
import io.eventgate.policy.control.EntityKind;
import io.eventgate.policy.model.GlobalPolicy;
import io.eventgate.policy.model.PathPattern;
import io.eventgate.policy.model.RouteSettings;
import io.eventgate.settings.SettingsException;
import io.eventgate.settings.SettingsLoader;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A policy file checked offline, as an organisation's CI would before {@code apply}: every entity binds to its record
 * with the checks policy-streams makes, every route keeps the governance rules of the file's global policy, and every
 * OpenAPI document a route names parses and lies within the route's paths. Each finding names its entity.
 */
final class Lint {
    private Lint() {
    }

    static List<String> check(List<PolicyFile.Entity> entities) {
        List<String> findings = new ArrayList<>();
        Map<String, Record> bound = new HashMap<>();
        for (PolicyFile.Entity entity : entities) {
            try {
                bound.put(entity.key(), SettingsLoader.bind(entity.spec(), entity.key(), EntityKind.of(entity.type()).orElseThrow().spec()));
            } catch (SettingsException e) {
                findings.add(entity.key() + ": " + e.getMessage());
            }
        }
        GlobalPolicy global = bound.get(EntityKind.GLOBAL_POLICY.key(GlobalPolicy.ENTITY_ID)) instanceof GlobalPolicy policy ? policy : GlobalPolicy.NONE;
        for (PolicyFile.Entity entity : entities) {
            if (entity.type() != EntityType.ROUTE || !(bound.get(entity.key()) instanceof RouteSettings route)) {
                continue;
            }
            global.governance().check(route).forEach(violation -> findings.add(entity.key() + " breaks " + violation));
            global.loosenedBy(route).forEach(reason -> findings.add(entity.key() + " would loosen the global policy: " + reason));
            if (route.contract() != null) {
                findings.addAll(contract(entity.key(), route));
            }
        }
        return findings;
    }

    /** The route's OpenAPI document parses, and each of its paths is one the route matches. */
    private static List<String> contract(String key, RouteSettings route) {
        Path document = Path.of(route.contract().openapi());
        if (!Files.isReadable(document)) {
            return List.of(key + ": contract.openapi: cannot read " + document);
        }
        SwaggerParseResult result = OpenApiImport.parse(document);
        List<String> findings = new ArrayList<>();
        if (result.getMessages() != null) {
            result.getMessages().forEach(message -> findings.add(key + ": " + document + ": " + message));
        }
        OpenAPI api = result.getOpenAPI();
        if (api == null || api.getPaths() == null) {
            findings.add(key + ": " + document + " is not an OpenAPI document");
            return findings;
        }
        List<PathPattern> patterns = route.match().paths().stream().map(PathPattern::parse).toList();
        api.getPaths().keySet().forEach(template -> {
            String example = template.replaceAll("\\{[^}/]+}", "x");
            if (patterns.stream().noneMatch(p -> p.matches(example, new HashMap<>()))) {
                findings.add(key + ": contract path " + template + " is outside the route's paths " + route.match().paths() + ": it can never be called");
            }
        });
        return findings;
    }
}
