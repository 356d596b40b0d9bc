package io.eventgate.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.policy.PolicyStreamsApp;
import io.eventgate.policy.PolicyStreamsSettings;
import io.eventgate.schemas.Topics;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** ctl import openapi: a document of 75 operations becomes 30 routes, shown, checked and applied through policy-streams. */
@ExtendWith(KafkaExtension.class)
class ImportTest {
    static final int RESOURCES = 15;

    /** A shop API of the size real ones have: per resource, list and create on the collection, read, replace and delete an item. */
    static String document() {
        StringBuilder yaml = new StringBuilder("""
                openapi: 3.0.3
                info: {title: Shop API, version: "2"}
                x-eventgate-rate-limit: 50
                x-eventgate-plan: {ratePerSecond: 5, burst: 10}
                x-eventgate-owner: team-shop
                security: [{key: []}]
                components:
                  securitySchemes:
                    key: {type: apiKey, in: header, name: X-API-Key}
                paths:
                """);
        for (int r = 1; r <= RESOURCES; r++) {
            String name = String.format("things%02d", r);
            yaml.append("  /").append(name).append(":\n");
            if (r == 1) {
                yaml.append("    x-eventgate-cache: {ttl: 30s}\n");
            }
            yaml.append("    get: {operationId: list").append(r).append(", responses: {\"200\": {description: ok}}").append(r == 2 ? ", security: []" : "")
                    .append(r == 2 ? "" : "").append("}\n");
            yaml.append("    post: {operationId: create").append(r).append(", responses: {\"201\": {description: created}}")
                    .append(r == 2 ? ", security: []" : "").append("}\n");
            yaml.append("  /").append(name).append("/{id}:\n");
            yaml.append("    parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n");
            for (String method : new String[] {"get", "put", "delete"}) {
                yaml.append("    ").append(method).append(": {operationId: ").append(method).append(r).append(", responses: {\"200\": {description: ok}}}\n");
            }
        }
        return yaml.toString();
    }

    @Test
    void aDocumentBecomesRoutesThatAreShownCheckedAndApplied(TestKafka kafka, @TempDir Path dir) throws Exception {
        kafka.createTopics(new Topics(kafka.topicPrefix()).newTopics(1, (short) 1));
        Path shop = dir.resolve("shop.yaml");
        Files.writeString(shop, document());

        CtlTest.Result printed = CtlTest.ctl(kafka, "import", "openapi", shop.toString(), "--upstream", "shop", "--prefix", "/shop", "--print");
        assertThat(printed.code()).as(printed.out()).isEqualTo(0);
        assertThat(printed.out()).contains("id: \"shop-api-things01\"").contains("- \"/shop/things01\"").contains("- \"/shop/things01/{id}\"")
                .contains("stripPrefix: \"/shop\"").contains("ratePerSecond: 50.0").contains("    consumer:\n      ratePerSecond: 5\n      burst: 10").contains("owner: \"team-shop\"").contains("ttl: \"30s\"")
                .contains("openapi: \"" + shop + "\"");
        assertThat(printed.out().split("- id: ", -1)).hasSize(2 * RESOURCES + 1);

        CtlTest.declarePool(kafka, "edge-1", "shop");
        try (PolicyStreamsApp app = PolicyStreamsApp.start(new PolicyStreamsSettings(kafka.topicPrefix() + "policy", kafka.bootstrapServers(),
                kafka.registryUrl(), kafka.topicPrefix(), dir.resolve("state"), true))) {
            CtlTest.Result dry = CtlTest.ctl(kafka, "import", "openapi", shop.toString(), "--upstream", "shop", "--prefix", "/shop", "--dry-run");
            assertThat(dry.code()).as(dry.out()).isEqualTo(0);
            assertThat(dry.out().split("would accept route:", -1)).hasSize(2 * RESOURCES + 1);
            assertThat(dry.out()).contains("+ route:shop-api-things15-id (new)").contains("dry run: nothing was sent");

            CtlTest.Result applied = CtlTest.ctl(kafka, "import", "openapi", shop.toString(), "--upstream", "shop", "--prefix", "/shop");
            assertThat(applied.code()).as(applied.out()).isEqualTo(0);
            assertThat(applied.out().split("\napplied route:", -1)).hasSize(2 * RESOURCES + 1);

            String routes = CtlTest.ctl(kafka, "get", "routes").out();
            assertThat(routes).contains("shop-api-things02\tcontrol").contains("\"methods\":[\"GET\",\"POST\"]");
            assertThat(routes.lines().filter(l -> l.startsWith("shop-api-things02\t")).findFirst().orElseThrow())
                    .as("security: [] on its operations").contains("\"anonymous\":true");
            assertThat(routes.lines().filter(l -> l.startsWith("shop-api-things03\t")).findFirst().orElseThrow())
                    .as("the document's API key").contains("\"anonymous\":false");

            CtlTest.Result again = CtlTest.ctl(kafka, "import", "openapi", shop.toString(), "--upstream", "shop", "--prefix", "/shop");
            assertThat(again.out()).contains("nothing to change");
        }

        Path conflicting = dir.resolve("conflict.yaml");
        Files.writeString(conflicting, """
                openapi: 3.0.3
                info: {title: C, version: "1"}
                paths:
                  /a:
                    get: {x-eventgate-rate-limit: 5, responses: {"200": {description: ok}}}
                    post: {x-eventgate-rate-limit: 9, responses: {"200": {description: ok}}}
                """);
        CtlTest.Result conflict = CtlTest.ctl(kafka, "import", "openapi", conflicting.toString(), "--upstream", "shop", "--print");
        assertThat(conflict.code()).isEqualTo(2);
        assertThat(conflict.out()).contains("x-eventgate-rate-limit differs between operations of one path");
    }
}
