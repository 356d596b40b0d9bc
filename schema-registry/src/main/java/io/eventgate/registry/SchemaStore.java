package io.eventgate.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Subjects, versions and globally numbered schemas, with compatibility enforced on registration.
 * Identical schemas (by Avro's parsing canonical form) share one id across subjects, as in Confluent's
 * registry. With a journal file, every registration is appended to it and replayed at start, so the ids
 * of records already in Kafka stay resolvable across restarts.
 */
public final class SchemaStore {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One registered version of a subject. */
    public record Version(String subject, int version, int id, Schema schema) {
    }

    private final Map<String, List<Version>> subjects = new TreeMap<>();
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final Map<String, Integer> idsByCanonicalForm = new HashMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private final Path journal;
    private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD;
    private int nextId = 1;

    /** A store that forgets everything when the JVM ends. */
    public SchemaStore() {
        this.journal = null;
    }

    /** A store that keeps its registrations in {@code journal} (created if missing). */
    public SchemaStore(Path journal) {
        this.journal = journal;
        replay();
    }

    public synchronized Version register(String subject, String schemaText) {
        Schema schema = parse(schemaText);
        Optional<Version> existing = find(subject, schema);
        if (existing.isPresent()) {
            return existing.get();
        }
        List<Version> versions = subjects.getOrDefault(subject, List.of());
        List<String> violations = levelOf(subject).violations(schema, versions.stream().map(Version::schema).toList());
        if (!violations.isEmpty()) {
            throw RegistryException.incompatible(subject, violations);
        }
        Version added = add(subject, schema);
        append(added);
        return added;
    }

    public synchronized Optional<Version> find(String subject, Schema schema) {
        Integer id = idsByCanonicalForm.get(SchemaNormalization.toParsingForm(schema));
        if (id == null) {
            return Optional.empty();
        }
        return subjects.getOrDefault(subject, List.of()).stream().filter(v -> v.id() == id).findFirst();
    }

    public synchronized Version lookup(String subject, String schemaText) {
        if (!subjects.containsKey(subject)) {
            throw RegistryException.subjectNotFound(subject);
        }
        return find(subject, parse(schemaText)).orElseThrow(() -> RegistryException.schemaNotFound("under subject '" + subject + "'"));
    }

    public synchronized Schema byId(int id) {
        Schema schema = schemasById.get(id);
        if (schema == null) {
            throw RegistryException.schemaNotFound("id " + id);
        }
        return schema;
    }

    public synchronized List<String> subjects() {
        return List.copyOf(subjects.keySet());
    }

    public synchronized List<Integer> versions(String subject) {
        return versionsOf(subject).stream().map(Version::version).toList();
    }

    /** A version by number or {@code latest}. */
    public synchronized Version version(String subject, String version) {
        List<Version> versions = versionsOf(subject);
        if (version.equals("latest") || version.equals("-1")) {
            return versions.get(versions.size() - 1);
        }
        int number;
        try {
            number = Integer.parseInt(version);
        } catch (NumberFormatException e) {
            throw new RegistryException(422, 42202, "Invalid version '" + version + "': a positive number or 'latest' is expected");
        }
        return versions.stream().filter(v -> v.version() == number).findFirst()
                .orElseThrow(() -> RegistryException.versionNotFound(subject, version));
    }

    /** Whether the schema could be registered under the subject now, and why not. */
    public synchronized List<String> compatibilityViolations(String subject, String schemaText) {
        Schema schema = parse(schemaText);
        List<Schema> existing = subjects.getOrDefault(subject, List.of()).stream().map(Version::schema).toList();
        return levelOf(subject).violations(schema, existing);
    }

    public synchronized CompatibilityLevel levelOf(String subject) {
        return subjectLevels.getOrDefault(subject, globalLevel);
    }

    public synchronized CompatibilityLevel globalLevel() {
        return globalLevel;
    }

    public synchronized void setGlobalLevel(CompatibilityLevel level) {
        this.globalLevel = level;
    }

    public synchronized void setSubjectLevel(String subject, CompatibilityLevel level) {
        subjectLevels.put(subject, level);
    }

    private List<Version> versionsOf(String subject) {
        List<Version> versions = subjects.get(subject);
        if (versions == null || versions.isEmpty()) {
            throw RegistryException.subjectNotFound(subject);
        }
        return versions;
    }

    private Version add(String subject, Schema schema) {
        String canonical = SchemaNormalization.toParsingForm(schema);
        int id = idsByCanonicalForm.computeIfAbsent(canonical, c -> nextId++);
        schemasById.putIfAbsent(id, schema);
        List<Version> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
        Version version = new Version(subject, versions.size() + 1, id, schema);
        versions.add(version);
        return version;
    }

    private static Schema parse(String schemaText) {
        if (schemaText == null || schemaText.isBlank()) {
            throw RegistryException.invalidSchema("the request has no 'schema' field");
        }
        try {
            return new Schema.Parser().parse(schemaText);
        } catch (RuntimeException e) {
            throw RegistryException.invalidSchema(e.getMessage());
        }
    }

    private void replay() {
        if (!Files.exists(journal)) {
            return;
        }
        try {
            for (String line : Files.readAllLines(journal, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode entry = JSON.readTree(line);
                Schema schema = new Schema.Parser().parse(entry.path("schema").asText());
                int id = entry.path("id").asInt();
                idsByCanonicalForm.put(SchemaNormalization.toParsingForm(schema), id);
                schemasById.put(id, schema);
                nextId = Math.max(nextId, id + 1);
                List<Version> versions = subjects.computeIfAbsent(entry.path("subject").asText(), s -> new ArrayList<>());
                versions.add(new Version(entry.path("subject").asText(), versions.size() + 1, id, schema));
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("schema journal " + journal + " is unreadable: " + e.getMessage(), e);
        }
    }

    private void append(Version version) {
        if (journal == null) {
            return;
        }
        try {
            Files.createDirectories(journal.toAbsolutePath().getParent());
            try (BufferedWriter out = Files.newBufferedWriter(journal, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                out.write(JSON.createObjectNode().put("subject", version.subject()).put("id", version.id())
                        .put("schema", version.schema().toString()).toString());
                out.newLine();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to schema journal " + journal, e);
        }
    }
}
