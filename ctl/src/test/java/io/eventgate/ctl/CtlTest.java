package io.eventgate.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.policy.PolicyStreamsApp;
import io.eventgate.policy.PolicyStreamsSettings;
import io.eventgate.schemas.Topics;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against a real broker with policy-streams running. */
@ExtendWith(KafkaExtension.class)
class CtlTest {
    record Result(int code, String out) {
    }

    static Result ctl(TestKafka kafka, String... args) {
        List<String> all = new ArrayList<>(List.of("--bootstrap-servers", kafka.bootstrapServers(), "--registry", kafka.registryUrl(),
                "--topic-prefix", kafka.topicPrefix()));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        int code = Ctl.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(out, true));
        return new Result(code, out.toString());
    }

    @Test
    void applyShowsTheDiffSendsTheChangesAndReportsEachOutcome(TestKafka kafka, @TempDir Path dir) throws Exception {
        kafka.createTopics(new Topics(kafka.topicPrefix()).newTopics(1, (short) 1));
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, """
                pools:
                  users: {instances: [{url: "http://10.0.0.1:8080"}]}
                routes:
                  - {id: api, match: {paths: ["/api/**"]}, upstreams: [{pool: users}]}
                """);
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, """
                routes:
                  - {id: orders, match: {paths: ["/orders/**"]}, upstreams: [{pool: nowhere}]}
                """);
        try (PolicyStreamsApp app = PolicyStreamsApp.start(new PolicyStreamsSettings(kafka.topicPrefix() + "policy", kafka.bootstrapServers(),
                kafka.registryUrl(), kafka.topicPrefix(), dir.resolve("state"), true))) {
            Result dryRun = ctl(kafka, "apply", "-f", broken.toString(), "--dry-run");
            assertThat(dryRun.code()).isEqualTo(1);
            assertThat(dryRun.out()).contains("+ route:orders (new)").contains("rejected route:orders at upstreams[0].pool")
                    .contains("dry run: nothing was sent");

            Result applied = ctl(kafka, "apply", "-f", policy.toString());
            assertThat(applied.code()).as(applied.out()).isEqualTo(0);
            assertThat(applied.out()).contains("+ pool:users (new)").contains("applied pool:users at version 1").contains("applied route:api at version 2");

            Result again = ctl(kafka, "apply", "-f", policy.toString());
            assertThat(again.out()).contains("= route:api (unchanged)").contains("nothing to change");

            assertThat(ctl(kafka, "get", "routes").out()).contains("api\tversion 2");
            Result refused = ctl(kafka, "apply", "-f", broken.toString());
            assertThat(refused.code()).isEqualTo(1);
            assertThat(ctl(kafka, "rejections").out()).contains("rejected route:orders at upstreams[0].pool: pool 'nowhere' does not exist");
            assertThat(ctl(kafka, "get", "nonsense").code()).isEqualTo(2);

            Result limited = ctl(kafka, "limit", "set", "consumer:acme", "--rate", "5", "--for", "10m", "--reason", "incident 42");
            assertThat(limited.code()).as(limited.out()).isEqualTo(0);
            assertThat(limited.out()).contains("applied limit:consumer:acme");
            assertThat(ctl(kafka, "get", "limits").out()).contains("consumer:acme\tOPERATOR_LIMIT\t5.0\toperator:");
            Result blocked = ctl(kafka, "limit", "block", "everyone", "--for", "10m", "--reason", "typo");
            assertThat(blocked.code()).isEqualTo(1);
            assertThat(blocked.out()).contains("is not a scope");
            Result purged = ctl(kafka, "cache", "purge", "--tag", "products");
            assertThat(purged.code()).as(purged.out()).isEqualTo(0);
            assertThat(purged.out()).contains("published: every edge node drops the matching answers");
            Result ambiguous = ctl(kafka, "cache", "purge", "--route", "api", "--tag", "products");
            assertThat(ambiguous.code()).isEqualTo(1);
            assertThat(ambiguous.out()).contains("a purge names exactly one of route, key and tag, not 2");
            Result cleared = ctl(kafka, "limit", "clear", "consumer:acme");
            assertThat(cleared.code()).as(cleared.out()).isEqualTo(0);
            assertThat(cleared.out()).contains("removed limit:consumer:acme");

            Path tuning = dir.resolve("tuning.yaml");
            Files.writeString(tuning, "detectors:\n  enabled: false\n  detectors: {authFailures: {sensitivity: 3.0}}\n");
            Result tuned = ctl(kafka, "apply", "-f", tuning.toString());
            assertThat(tuned.code()).as(tuned.out()).isEqualTo(0);
            assertThat(tuned.out()).contains("+ detectors:anomaly (new)").contains("applied detectors:anomaly");
            Files.writeString(tuning, "detectors: {detectors: {latency: {act: true}}}\n");
            Result refusedTuning = ctl(kafka, "apply", "-f", tuning.toString());
            assertThat(refusedTuning.code()).isEqualTo(1);
            assertThat(refusedTuning.out()).contains("only reports");

            Path people = dir.resolve("consumers.yaml");
            Files.writeString(people, """
                    plans:
                      gold: {ratePerSecond: 50, burst: 100}
                    consumers:
                      acme: {plan: gold, apiKeys: [acme-secret-key]}
                    global: {maxRatePerSecond: 100, requireAuthentication: false}
                    """);
            Result consumers = ctl(kafka, "apply", "-f", people.toString());
            assertThat(consumers.code()).as(consumers.out()).isEqualTo(0);
            assertThat(consumers.out()).contains("applied plan:gold").contains("applied consumer:acme").contains("applied global:global");
            String stored = ctl(kafka, "get", "consumers").out();
            assertThat(stored).contains(io.eventgate.policy.model.ConsumerSettings.hashKey("acme-secret-key")).doesNotContain("acme-secret-key\"");
            assertThat(ctl(kafka, "apply", "-f", people.toString()).out()).as("the same key hashes the same: no change")
                    .contains("= consumer:acme (unchanged)");
            assertThat(ctl(kafka, "get", "global").out()).contains("\"maxRatePerSecond\":100");

            Result example = ctl(kafka, "apply", "-f", Path.of("..", "config", "example-policy.yaml").toString(), "--dry-run");
            assertThat(example.code()).as("the README's example policy is valid: " + example.out()).isEqualTo(0);
        }
    }
}
