package io.eventgate.policy.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.avro.CommandAction;
import io.eventgate.avro.CommandRejection;
import io.eventgate.avro.EntityType;
import io.eventgate.avro.NodeConfig;
import io.eventgate.avro.PolicyCommand;
import io.eventgate.avro.PolicyEntity;
import io.eventgate.avro.StaticEntity;
import io.eventgate.policy.PolicyStreamsApp;
import io.eventgate.policy.PolicyStreamsSettings;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.testkit.RegistryExtension;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Every validation rule of the control topology, driven through TopologyTestDriver with the real serdes. */
@ExtendWith(RegistryExtension.class)
class ControlTopologyTest {
    static final Instant T = Instant.parse("2026-11-26T10:00:00Z");
    static final String POOL = "{\"instances\":[{\"url\":\"http://10.0.0.1:8080\"}]}";
    static final String ROUTE = "{\"id\":\"api\",\"match\":{\"paths\":[\"/api/**\"]},\"upstreams\":[{\"pool\":\"users\"}]}";

    String registryUrl;
    final Topics topics = Topics.defaults();
    final AtomicInteger commandIds = new AtomicInteger();
    @TempDir
    Path stateDir;
    TopologyTestDriver driver;
    TestInputTopic<String, PolicyCommand> control;
    TestOutputTopic<String, PolicyEntity> policies;
    TestOutputTopic<String, CommandRejection> rejections;
    PolicyStreamsSettings settings;

    @BeforeEach
    void start(RegistryExtension.TestRegistry registry) {
        registryUrl = registry.url();
        settings = new PolicyStreamsSettings(null, "unused:9092", registryUrl, null, stateDir, true);
        driver = newDriver(stateDir);
    }

    TopologyTestDriver newDriver(Path state) {
        PolicyStreamsSettings s = new PolicyStreamsSettings(null, "unused:9092", registryUrl, null, state, true);
        TopologyTestDriver d = new TopologyTestDriver(PolicyStreamsApp.topology(s), PolicyStreamsApp.properties(s));
        ContractSerdes serdes = ContractSerdes.of(registryUrl);
        control = d.createInputTopic(topics.control(), new StringSerializer(), serdes.<PolicyCommand>serde(Topic.CONTROL).serializer());
        policies = d.createOutputTopic(topics.policies(), new StringDeserializer(), serdes.<PolicyEntity>serde(Topic.POLICIES).deserializer());
        rejections = d.createOutputTopic(topics.controlRejections(), new StringDeserializer(), serdes.<CommandRejection>serde(Topic.CONTROL_REJECTIONS).deserializer());
        return d;
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    PolicyCommand command(CommandAction action, EntityType type, String id, String spec) {
        return PolicyCommand.newBuilder().setCommandId("c" + commandIds.incrementAndGet()).setIssuedAt(T).setIssuedBy("ops")
                .setAction(action).setEntityType(type).setEntityId(id).setSpec(spec).build();
    }

    void upsert(EntityType type, String key, String id, String spec) {
        control.pipeInput(key, command(CommandAction.UPSERT, type, id, spec));
    }

    CommandRejection onlyRejection() {
        assertThat(policies.isEmpty()).as("a rejected command publishes no policy").isTrue();
        List<CommandRejection> all = rejections.readValuesToList();
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    @Test
    void acceptedCommandsBecomeVersionedEntities() {
        upsert(EntityType.UPSTREAM_POOL, "pool:users", "users", POOL);
        upsert(EntityType.ROUTE, "route:api", "api", ROUTE);

        List<KeyValue<String, PolicyEntity>> published = policies.readKeyValuesToList();
        assertThat(published).extracting(kv -> kv.key).containsExactly("pool:users", "route:api");
        PolicyEntity route = published.get(1).value;
        assertThat(route.getVersion()).isEqualTo(2);
        assertThat(route.getEntityId()).isEqualTo("api");
        assertThat(route.getSpec()).isEqualTo(ROUTE);
        assertThat(route.getChecksum()).isEqualTo(CommandValidator.sha256(ROUTE));
        assertThat(route.getSourceCommandId()).isEqualTo("c2");
        assertThat(rejections.isEmpty()).isTrue();
    }

    @Test
    void aRouteToAMissingPoolIsRejectedAndChangesNothing() {
        upsert(EntityType.ROUTE, "route:api", "api", ROUTE);
        CommandRejection rejection = onlyRejection();
        assertThat(rejection.getField()).isEqualTo("upstreams[0].pool");
        assertThat(rejection.getReason()).contains("pool 'users' does not exist");
        assertThat(rejection.getCommandId()).isEqualTo("c1");

        upsert(EntityType.UPSTREAM_POOL, "pool:users", "users", POOL);
        assertThat(policies.readValue().getVersion()).as("the rejection used no version").isEqualTo(1);
    }

    /** The edges' YAML and the control topic form one world: commands may use a pool or plan an edge node declares. */
    @Test
    void commandsMayReferenceTheEntitiesEdgeNodesDeclareInTheirConfiguration() {
        TestInputTopic<String, NodeConfig> nodeConfigs = driver.createInputTopic(topics.nodeConfig(), new StringSerializer(),
                ContractSerdes.of(registryUrl).<NodeConfig>serde(Topic.NODE_CONFIG).serializer());
        nodeConfigs.pipeInput("edge-1", NodeConfig.newBuilder().setNodeId("edge-1").setPublishedAt(T).setChecksum("c").setEntities(List.of(
                StaticEntity.newBuilder().setEntityKey("pool:users").setEntityType("UPSTREAM_POOL").setEntityId("users").setSpec(POOL).build(),
                StaticEntity.newBuilder().setEntityKey("plan:gold").setEntityType("PLAN").setEntityId("gold").setSpec("{\"ratePerSecond\":10,\"burst\":10}").build()))
                .build());

        upsert(EntityType.ROUTE, "route:api", "api", ROUTE);
        upsert(EntityType.CONSUMER, "consumer:acme", "acme", "{\"plan\":\"gold\"}");
        assertThat(rejections.readValuesToList()).as("the static pool and plan exist").isEmpty();
        assertThat(policies.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("route:api", "consumer:acme");

        control.pipeInput("consumer:bob", command(CommandAction.UPSERT, EntityType.CONSUMER, "bob", "{\"plan\":\"silver\"}"));
        assertThat(onlyRejection().getReason()).isEqualTo("plan 'silver' does not exist on gateway.policies nor in any edge node's configuration");
    }

    @Test
    void badFieldsAreRejectedWithTheirPath() {
        upsert(EntityType.UPSTREAM_POOL, "pool:users", "users", "{\"instances\":[{\"url\":\"ftp://x\"}]}");
        CommandRejection badUrl = onlyRejection();
        assertThat(badUrl.getField()).isEqualTo("instances[0]");
        assertThat(badUrl.getReason()).contains("must be http://host:port");

        upsert(EntityType.UPSTREAM_POOL, "pool:users", "users", POOL);
        policies.readValue();
        upsert(EntityType.ROUTE, "route:api", "api", ROUTE.replace("/api/**", "/api/**/x"));
        assertThat(onlyRejection().getReason()).contains("'**' may only end the pattern");

        upsert(EntityType.ROUTE, "route:api", "api", ROUTE.replace("{\"pool\":\"users\"}", "{\"pool\":\"users\",\"weight\":-5}"));
        assertThat(onlyRejection().getReason()).contains("weight must be between 0 and 10000, was -5");

        upsert(EntityType.ROUTE, "route:api", "api", ROUTE.replace("\"id\":\"api\"", "\"id\":\"other\""));
        assertThat(onlyRejection().getField()).isEqualTo("id");

        upsert(EntityType.ROUTE, "route:api", "api", "{not json");
        assertThat(onlyRejection().getReason()).contains("not JSON");

        upsert(EntityType.ROUTE, "route:api", "api", ROUTE.replace("\"upstreams\"", "\"surprise\":1,\"upstreams\""));
        assertThat(onlyRejection().getReason()).contains("unknown setting 'surprise'");
    }

    @Test
    void trafficPoliciesAreValidatedWithPreciseReasons() {
        upsert(EntityType.UPSTREAM_POOL, "pool:users", "users", POOL);
        policies.readValue();
        String withPolicies = ROUTE.replace("\"upstreams\"", "\"cors\":{\"allowOrigins\":[\"https://app.example.com\"]},"
                + "\"faults\":{\"abort\":{\"percent\":5,\"status\":503},\"onlyWithHeader\":\"X-Chaos\"},"
                + "\"transform\":{\"requestHeaders\":{\"set\":{\"X-Api-Version\":\"2\"}}},\"upstreams\"");
        upsert(EntityType.ROUTE, "route:api", "api", withPolicies);
        assertThat(policies.readValue().getSpec()).isEqualTo(withPolicies);
        assertThat(rejections.isEmpty()).isTrue();

        upsert(EntityType.ROUTE, "route:api", "api", withPolicies.replace("https://app.example.com", "app.example.com/path"));
        assertThat(onlyRejection().getReason()).contains("cors.allowOrigins: 'app.example.com/path' must be '*' or scheme://host[:port]");
        upsert(EntityType.ROUTE, "route:api", "api", withPolicies.replace("\"allowOrigins\":[\"https://app.example.com\"]",
                "\"allowOrigins\":[\"*\"],\"allowCredentials\":true"));
        assertThat(onlyRejection().getReason()).contains("browsers refuse credentials with a '*' origin");
        upsert(EntityType.ROUTE, "route:api", "api", withPolicies.replace("\"percent\":5", "\"percent\":150"));
        assertThat(onlyRejection().getReason()).contains("faults.abort.percent must be above 0 and at most 100, was 150.0");
        upsert(EntityType.ROUTE, "route:api", "api", withPolicies.replace("X-Api-Version", "Content-Length"));
        assertThat(onlyRejection().getReason()).contains("'Content-Length' frames the message or the connection and cannot be edited");
        upsert(EntityType.ROUTE, "route:api", "api", withPolicies.replace("\"requestHeaders\"", "\"path\":\"/v2/{id}\",\"requestHeaders\""));
        assertThat(onlyRejection().getReason()).contains("transform.path uses {id}, which match path '/api/**' does not capture");
    }

    @Test
    void kafkaTargetsAreValidatedWithPreciseReasons() {
        String produce = "{\"id\":\"orders\",\"match\":{\"paths\":[\"/orders\"]},"
                + "\"kafka\":{\"topic\":\"demo.orders\",\"mode\":\"produce\",\"key\":\"json:/orderId\"}}";
        upsert(EntityType.ROUTE, "route:orders", "orders", produce);
        assertThat(policies.readValue().getSpec()).isEqualTo(produce);
        assertThat(rejections.isEmpty()).isTrue();

        upsert(EntityType.ROUTE, "route:orders", "orders", produce.replace("\"produce\"", "\"consume\""));
        assertThat(onlyRejection().getReason()).contains("kafka.mode must be produce, latest, stream or request-reply, was 'consume'");
        upsert(EntityType.ROUTE, "route:orders", "orders", produce.replace("\"produce\"", "\"request-reply\""));
        assertThat(onlyRejection().getReason()).contains("kafka.replyTopic is required for request-reply");
        upsert(EntityType.ROUTE, "route:orders", "orders", produce.replace("\"produce\"", "\"latest\""));
        assertThat(onlyRejection().getReason()).contains("kafka.key of a latest route must be path:NAME");
        upsert(EntityType.ROUTE, "route:orders", "orders", produce.replace("json:/orderId", "path:orderId"));
        assertThat(onlyRejection().getReason()).contains("kafka.key is path:orderId, which match path '/orders' does not capture");
        upsert(EntityType.ROUTE, "route:orders", "orders", produce.replace("demo.orders", "demo orders"));
        assertThat(onlyRejection().getReason()).contains("kafka.topic 'demo orders' is not a valid topic name");
    }

    @Test
    void webhookSubscriptionsAreValidatedAndKeepTheirSecretOutOfKafka() {
        String webhook = "{\"topic\":\"demo.orders\",\"url\":\"https://hooks.example.com/orders\",\"secretRef\":\"env:ORDERS_WEBHOOK_SECRET\"}";
        upsert(EntityType.WEBHOOK, "webhook:orders", "orders", webhook);
        assertThat(policies.readValue().getSpec()).isEqualTo(webhook);
        assertThat(rejections.isEmpty()).isTrue();
        upsert(EntityType.WEBHOOK, "webhook:orders", "orders", webhook.replace("env:ORDERS_WEBHOOK_SECRET", "whsec_c2VjcmV0"));
        assertThat(onlyRejection().getReason()).contains("secretRef must be env:NAME or file:/path (the secret itself stays out of Kafka)");
        upsert(EntityType.WEBHOOK, "webhook:orders", "orders", webhook.replace("https://hooks.example.com/orders", "ftp://hooks"));
        assertThat(onlyRejection().getReason()).contains("url must be an http or https URL with a host");
        upsert(EntityType.WEBHOOK, "webhook:orders", "orders", webhook.replace("}", ",\"maxAttempts\":0}"));
        assertThat(onlyRejection().getReason()).contains("maxAttempts");
    }

    @Test
    void aCachePurgeIsPublishedForTheEdgesThenTombstonedAndKeepsNoState() {
        upsert(EntityType.CACHE_PURGE, "purge:p1", "p1", "{\"key\":\"GET api.example.com/products/\"}");
        List<KeyValue<String, PolicyEntity>> published = policies.readKeyValuesToList();
        assertThat(published).extracting(kv -> kv.key).containsExactly("purge:p1", "purge:p1");
        assertThat(published.get(0).value.getSpec()).contains("GET api.example.com/products/");
        assertThat(published.get(1).value).as("a tombstone: compaction removes the purge").isNull();

        upsert(EntityType.CACHE_PURGE, "purge:p2", "p2", "{\"key\":\"products\"}");
        assertThat(onlyRejection().getReason()).contains("must be 'GET host/path' or 'HEAD host/path'");
        control.pipeInput("purge:p1", command(CommandAction.DELETE, EntityType.CACHE_PURGE, "p1", null));
        assertThat(onlyRejection().getReason()).contains("a purge is not kept");

        upsert(EntityType.UPSTREAM_POOL, "pool:users", "users", POOL);
        assertThat(policies.readValue().getVersion()).as("purges use no version").isEqualTo(1);
    }

    @Test
    void detectorTuningIsValidatedLikeAnyEntity() {
        String tuning = "{\"enabled\":false,\"allowList\":[\"client:10.0.0.5\"],\"detectors\":{\"authFailures\":{\"sensitivity\":3.0,\"act\":true}}}";
        upsert(EntityType.DETECTOR_SETTINGS, "detectors:anomaly", "anomaly", tuning);
        PolicyEntity accepted = policies.readValue();
        assertThat(accepted.getEntityKey()).isEqualTo("detectors:anomaly");
        assertThat(accepted.getSpec()).isEqualTo(tuning);

        upsert(EntityType.DETECTOR_SETTINGS, "detectors:anomaly", "anomaly", "{\"detectors\":{\"authFailure\":{\"act\":true}}}");
        assertThat(onlyRejection().getReason()).contains("no detector named 'authFailure'");
        upsert(EntityType.DETECTOR_SETTINGS, "detectors:anomaly", "anomaly", "{\"detectors\":{\"latency\":{\"act\":true}}}");
        assertThat(onlyRejection().getReason()).contains("only reports");
        upsert(EntityType.DETECTOR_SETTINGS, "detectors:anomaly", "anomaly", "{\"detectors\":{\"scanning\":{\"sensitivity\":-1}}}");
        assertThat(onlyRejection().getReason()).contains("sensitivity must be above 0");
        upsert(EntityType.DETECTOR_SETTINGS, "detectors:other", "other", "{}");
        assertThat(onlyRejection().getField()).isEqualTo("entityId");
    }

    @Test
    void theKeyMustNameTheEntityAndUnknownTypesAreRefused() {
        upsert(EntityType.UPSTREAM_POOL, "pool:other", "users", POOL);
        assertThat(onlyRejection().getField()).isEqualTo("entityId");
        upsert(EntityType.UNKNOWN, "thing:x", "x", "{}");
        assertThat(onlyRejection().getReason()).contains("not accepted by this version");
    }

    @Test
    void deletionsAreTombstonesAndCannotBreakReferences() {
        upsert(EntityType.UPSTREAM_POOL, "pool:users", "users", POOL);
        upsert(EntityType.ROUTE, "route:api", "api", ROUTE);
        policies.readValuesToList();

        control.pipeInput("pool:users", command(CommandAction.DELETE, EntityType.UPSTREAM_POOL, "users", null));
        assertThat(onlyRejection().getReason()).contains("still used by routes [api]");

        control.pipeInput("route:api", command(CommandAction.DELETE, EntityType.ROUTE, "api", null));
        control.pipeInput("pool:users", command(CommandAction.DELETE, EntityType.UPSTREAM_POOL, "users", null));
        List<KeyValue<String, PolicyEntity>> tombstones = policies.readKeyValuesToList();
        assertThat(tombstones).extracting(kv -> kv.key).containsExactly("route:api", "pool:users");
        assertThat(tombstones).allSatisfy(kv -> assertThat(kv.value).isNull());

        control.pipeInput("route:api", command(CommandAction.DELETE, EntityType.ROUTE, "api", null));
        assertThat(onlyRejection().getReason()).contains("there is no route:api to delete");
    }

    @Test
    void replayingTheControlTopicGivesTheSamePolicies(@TempDir Path otherState) {
        List<PolicyCommand> script = new ArrayList<>();
        script.add(command(CommandAction.UPSERT, EntityType.UPSTREAM_POOL, "users", POOL));
        script.add(command(CommandAction.UPSERT, EntityType.ROUTE, "api", ROUTE.replace("users", "missing")));
        script.add(command(CommandAction.UPSERT, EntityType.ROUTE, "api", ROUTE));
        script.add(command(CommandAction.UPSERT, EntityType.UPSTREAM_POOL, "users", POOL.replace("8080", "9090")));
        script.add(command(CommandAction.DELETE, EntityType.ROUTE, "api", null));
        List<String> first = run(script);
        driver.close();
        driver = newDriver(otherState);
        assertThat(run(script)).isEqualTo(first).hasSize(5);
    }

    List<String> run(List<PolicyCommand> script) {
        for (PolicyCommand c : script) {
            control.pipeInput((c.getEntityType() == EntityType.ROUTE ? "route:" : "pool:") + c.getEntityId(), c);
        }
        List<String> outcome = new ArrayList<>();
        policies.readKeyValuesToList().forEach(kv -> outcome.add(kv.key + "=" + (kv.value == null ? "deleted" : kv.value.getVersion() + "/" + kv.value.getChecksum())));
        rejections.readKeyValuesToList().forEach(kv -> outcome.add(kv.key + " rejected: " + kv.value.getReason()));
        return outcome;
    }

    @Test
    void operatorLimitsBecomeDirectivesOnTheLimitsTopicAndClearingLiftsThem() {
        TestOutputTopic<String, io.eventgate.avro.LimitDirective> limits = driver.createOutputTopic(topics.limits(), new StringDeserializer(),
                ContractSerdes.of(registryUrl).<io.eventgate.avro.LimitDirective>serde(Topic.LIMITS).deserializer());
        String spec = "{\"kind\":\"operator_limit\",\"ratePerSecond\":5,\"reason\":\"incident 42\",\"expiresAt\":\"2026-11-26T11:00:00Z\"}";
        upsert(EntityType.LIMIT, "limit:consumer:acme", "consumer:acme", spec);

        assertThat(policies.readKeyValue().key).isEqualTo("limit:consumer:acme");
        KeyValue<String, io.eventgate.avro.LimitDirective> directive = limits.readKeyValue();
        assertThat(directive.key).as("one record per scope and source").isEqualTo("consumer:acme|operator");
        assertThat(directive.value.getKind()).isEqualTo(io.eventgate.avro.DirectiveKind.OPERATOR_LIMIT);
        assertThat(directive.value.getValue()).isEqualTo(5.0);
        assertThat(directive.value.getSource()).isEqualTo("operator:ops");
        assertThat(directive.value.getExpiresAt()).isEqualTo(Instant.parse("2026-11-26T11:00:00Z"));

        control.pipeInput("limit:consumer:acme", command(CommandAction.DELETE, EntityType.LIMIT, "consumer:acme", null));
        assertThat(policies.readKeyValue().value).isNull();
        KeyValue<String, io.eventgate.avro.LimitDirective> lifted = limits.readKeyValue();
        assertThat(lifted.key).as("lifts the operators' directive only").isEqualTo("consumer:acme|operator");
        assertThat(lifted.value).isNull();

        upsert(EntityType.LIMIT, "limit:everyone", "everyone", spec);
        assertThat(onlyRejection().getReason()).contains("is not a scope");
        upsert(EntityType.LIMIT, "limit:route:api", "route:api", spec.replace("2026-11-26T11:00:00Z", "2026-11-26T09:00:00Z"));
        assertThat(onlyRejection().getField()).isEqualTo("expiresAt");
        upsert(EntityType.LIMIT, "limit:route:api", "route:api", spec.replace("\"ratePerSecond\":5,", ""));
        assertThat(onlyRejection().getReason()).contains("ratePerSecond must be above 0");
        assertThat(limits.isEmpty()).isTrue();

        String global = spec.replace("{", "{\"global\":true,");
        upsert(EntityType.LIMIT, "limit:route:api", "route:api", global);
        assertThat(onlyRejection().getField()).as("only a consumer's limit can be divided among the nodes").isEqualTo("global");
        upsert(EntityType.LIMIT, "limit:consumer:acme", "consumer:acme", global);
        policies.readKeyValue();
        assertThat(limits.readValue().getGlobal()).as("the edges report this consumer's demand for its shares").isTrue();
        assertThat(directive.value.getGlobal()).isFalse();
    }

    @Test
    void restoringARolledBackCanaryLiftsTheDetectorsDirectiveAndKeepsNothing() {
        TestOutputTopic<String, io.eventgate.avro.LimitDirective> limits = driver.createOutputTopic(topics.limits(), new StringDeserializer(),
                ContractSerdes.of(registryUrl).<io.eventgate.avro.LimitDirective>serde(Topic.LIMITS).deserializer());
        upsert(EntityType.LIMIT, "limit:route:orders@variant:canary", "route:orders@variant:canary", "{\"kind\":\"restore\",\"reason\":\"fixed in 2.1.1\"}");
        assertThat(policies.readKeyValuesToList()).as("an instruction, not state: published, then tombstoned").extracting(kv -> kv.value == null)
                .containsExactly(false, true);
        assertThat(limits.readKeyValuesToList()).extracting(kv -> kv.key + "=" + kv.value)
                .containsExactly("route:orders@variant:canary|operator=null", "route:orders@variant:canary|anomaly-detector=null");

        upsert(EntityType.LIMIT, "limit:route:orders", "route:orders", "{\"kind\":\"restore\",\"reason\":\"x\"}");
        assertThat(onlyRejection().getReason()).contains("a RESTORE names route:ID@variant:POOL");
        upsert(EntityType.LIMIT, "limit:route:orders@variant:canary", "route:orders@variant:canary",
                "{\"kind\":\"restore\",\"ratePerSecond\":5,\"reason\":\"x\"}");
        assertThat(onlyRejection().getReason()).contains("takes no rate");
        upsert(EntityType.LIMIT, "limit:route:orders@variant:canary", "route:orders@variant:canary",
                "{\"kind\":\"block\",\"reason\":\"x\",\"expiresAt\":\"2026-11-26T11:00:00Z\"}");
        assertThat(onlyRejection().getReason()).as("a variant's scope takes a RESTORE only").contains("is not a scope");
        assertThat(limits.isEmpty()).isTrue();
    }

    @Test
    void aPoisonRecordDoesNotStopTheApp() {
        TestInputTopic<String, byte[]> raw = driver.createInputTopic(topics.control(), new StringSerializer(), new ByteArraySerializer());
        raw.pipeInput("pool:users", "not avro at all".getBytes());
        upsert(EntityType.UPSTREAM_POOL, "pool:users", "users", POOL);
        assertThat(policies.readValue().getEntityId()).isEqualTo("users"); // the dead-letter copy is checked on the broker
    }

    static final String KEY_A = "sha256:" + "a".repeat(64);
    static final String KEY_B = "sha256:" + "b".repeat(64);

    @Test
    void consumersNeedTheirPlanHashedKeysAndKeysOfTheirOwn() {
        upsert(EntityType.CONSUMER, "consumer:acme", "acme", "{\"plan\":\"gold\",\"apiKeys\":[\"" + KEY_A + "\"]}");
        CommandRejection noPlan = onlyRejection();
        assertThat(noPlan.getField()).isEqualTo("plan");
        assertThat(noPlan.getReason()).contains("plan 'gold' does not exist");

        upsert(EntityType.PLAN, "plan:gold", "gold", "{\"ratePerSecond\":10,\"burst\":20}");
        upsert(EntityType.CONSUMER, "consumer:acme", "acme", "{\"plan\":\"gold\",\"apiKeys\":[\"" + KEY_A + "\"]}");
        assertThat(policies.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("plan:gold", "consumer:acme");

        upsert(EntityType.CONSUMER, "consumer:zeta", "zeta", "{\"plan\":\"gold\",\"apiKeys\":[\"plain-text-key\"]}");
        assertThat(onlyRejection().getReason()).contains("never a key in plain text");

        upsert(EntityType.CONSUMER, "consumer:zeta", "zeta", "{\"plan\":\"gold\",\"apiKeys\":[\"" + KEY_B + "\",\"" + KEY_A + "\"]}");
        CommandRejection shared = onlyRejection();
        assertThat(shared.getField()).isEqualTo("apiKeys[1]");
        assertThat(shared.getReason()).contains("already belongs to another consumer");

        upsert(EntityType.CONSUMER, "consumer:acme", "acme", "{\"plan\":\"gold\",\"apiKeys\":[\"" + KEY_A + "\",\"" + KEY_B + "\"]}");
        assertThat(policies.readValue().getEntityKey()).as("a consumer rotating in a second key of its own").isEqualTo("consumer:acme");

        upsert(EntityType.CONSUMER, "consumer:robot", "robot", "{\"plan\":\"gold\",\"certificates\":[\"CN=robot, O=Example\"]}");
        policies.readValue();
        upsert(EntityType.CONSUMER, "consumer:copy", "copy", "{\"plan\":\"gold\",\"certificates\":[\"CN=robot,O=Example\"]}");
        assertThat(onlyRejection().getField()).as("the same subject, written differently").isEqualTo("certificates[0]");
        control.pipeInput("consumer:robot", command(CommandAction.DELETE, EntityType.CONSUMER, "robot", null));
        policies.readValue();

        control.pipeInput("plan:gold", command(CommandAction.DELETE, EntityType.PLAN, "gold", null));
        assertThat(onlyRejection().getReason()).contains("still held by consumers [acme]");

        control.pipeInput("consumer:acme", command(CommandAction.DELETE, EntityType.CONSUMER, "acme", null));
        KeyValue<String, PolicyEntity> tombstone = policies.readKeyValue();
        assertThat(tombstone.key).isEqualTo("consumer:acme");
        assertThat(tombstone.value).isNull();
    }

    @Test
    void noRouteOrPlanMayLoosenTheGlobalPolicy() {
        upsert(EntityType.GLOBAL_POLICY, "global:global", "global", "{\"maxRatePerSecond\":100,\"requireAuthentication\":true,\"denyClients\":[\"192.0.2.0/24\"]}");
        assertThat(policies.readValue().getEntityKey()).isEqualTo("global:global");

        upsert(EntityType.UPSTREAM_POOL, "pool:users", "users", POOL);
        policies.readValue();
        upsert(EntityType.ROUTE, "route:api", "api", ROUTE);
        CommandRejection anonymous = onlyRejection();
        assertThat(anonymous.getField()).isEqualTo("anonymous");
        assertThat(anonymous.getReason()).contains("would loosen the global policy").contains("requires authentication");

        upsert(EntityType.ROUTE, "route:api", "api", ROUTE.replace("}]}", "}],\"anonymous\":false,\"rateLimits\":{\"client\":{\"ratePerSecond\":500}}}"));
        assertThat(onlyRejection().getField()).isEqualTo("rateLimits.client.ratePerSecond");

        upsert(EntityType.PLAN, "plan:gold", "gold", "{\"ratePerSecond\":1000,\"burst\":1000}");
        assertThat(onlyRejection().getReason()).contains("above the global policy's maxRatePerSecond 100.0");

        upsert(EntityType.ROUTE, "route:api", "api", ROUTE.replace("}]}", "}],\"anonymous\":false}"));
        upsert(EntityType.PLAN, "plan:gold", "gold", "{\"ratePerSecond\":50,\"burst\":50}");
        assertThat(policies.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("route:api", "plan:gold");

        upsert(EntityType.GLOBAL_POLICY, "global:global", "global", "{\"maxRatePerSecond\":20}");
        assertThat(onlyRejection().getReason()).contains("plan:gold ratePerSecond: 50.0 is above");

        upsert(EntityType.GLOBAL_POLICY, "global:global", "global", "{\"denyClients\":[\"not-an-address\"]}");
        assertThat(onlyRejection().getReason()).contains("denyClients: 'not-an-address' is not an IP address or CIDR range");

        upsert(EntityType.GLOBAL_POLICY, "global:other", "other", "{}");
        assertThat(onlyRejection().getField()).isEqualTo("entityId");
    }

    @Test
    void governanceRulesRefuseRoutesNamingTheRuleAndAGlobalPolicyThatRoutesInForceBreak() {
        upsert(EntityType.UPSTREAM_POOL, "pool:users", "users", POOL);
        policies.readValue();
        upsert(EntityType.ROUTE, "route:api", "api", ROUTE);
        policies.readValue();
        String rules = "{\"governance\":{\"routesAuthenticate\":true,\"routesRateLimited\":true,\"routesOwned\":true,"
                + "\"apiPrefixes\":{\"users\":\"/users\"}}}";
        upsert(EntityType.GLOBAL_POLICY, "global:global", "global", rules);
        CommandRejection existing = onlyRejection();
        assertThat(existing.getReason()).contains("route:api breaks rule 'route-authenticates' (anonymous)")
                .contains("rule 'route-has-owner' (info.owner)").contains("rule 'route-rate-limited'").contains("rule 'route-within-api-prefix' (info.api)");

        upsert(EntityType.ROUTE, "route:api", "api", "{\"id\":\"api\",\"match\":{\"paths\":[\"/users/**\"]},\"upstreams\":[{\"pool\":\"users\"}],"
                + "\"anonymous\":false,\"rateLimits\":{\"route\":{\"ratePerSecond\":100}},\"info\":{\"owner\":\"team-users\",\"api\":\"users\"}}");
        policies.readValue();
        upsert(EntityType.GLOBAL_POLICY, "global:global", "global", rules);
        assertThat(policies.readValue().getEntityKey()).isEqualTo("global:global");

        upsert(EntityType.ROUTE, "route:open", "open", "{\"id\":\"open\",\"match\":{\"paths\":[\"/admin/**\"]},\"upstreams\":[{\"pool\":\"users\"}],"
                + "\"rateLimits\":{\"route\":{\"ratePerSecond\":10}},\"info\":{\"owner\":\"ops\",\"tags\":[\"public\"],\"api\":\"users\"}}");
        CommandRejection outside = onlyRejection();
        assertThat(outside.getField()).isEqualTo("match.paths[0]");
        assertThat(outside.getReason()).isEqualTo("it breaks the governance rule 'route-within-api-prefix' (match.paths[0]): "
                + "'/admin/**' lies outside API 'users''s prefix /users");

        upsert(EntityType.ROUTE, "route:unowned", "unowned", "{\"id\":\"unowned\",\"match\":{\"paths\":[\"/users/x\"]},\"upstreams\":[{\"pool\":\"users\"}],"
                + "\"rateLimits\":{\"route\":{\"ratePerSecond\":10}},\"info\":{\"tags\":[\"public\"],\"api\":\"users\"}}");
        CommandRejection unowned = onlyRejection();
        assertThat(unowned.getField()).isEqualTo("info.owner");
        assertThat(unowned.getReason()).contains("rule 'route-has-owner'").doesNotContain("route-authenticates");
    }
}
