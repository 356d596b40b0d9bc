package io.eventgate.edge;

import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.edge.config.EventSettings;
import io.eventgate.edge.config.KafkaSettings;
import io.eventgate.policy.model.PoolSettings;
import io.eventgate.policy.model.RouteSettings;
import io.eventgate.edge.config.ServerSettings;
import io.eventgate.schemas.Topics;
import io.eventgate.testkit.TestKafka;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Edge settings for tests: free ports, the test's own topics, an event journal in a temporary directory. */
public final class EdgeFixture {
    private EdgeFixture() {
    }

    public static ServerSettings server(List<String> trustedProxies) {
        return new ServerSettings("127.0.0.1", 0, 0, 8 * 1024, 2 * 1024, 1024 * 1024, null, trustedProxies, true);
    }

    public static EdgeSettings settings(TestKafka kafka, Path journalDir, Map<String, PoolSettings> pools, List<RouteSettings> routes) {
        Topics topics = new Topics(kafka.topicPrefix());
        try (var admin = kafka.admin()) {
            var existing = admin.listTopics().names().get();
            kafka.createTopics(topics.newTopics(2, (short) 1).stream().filter(t -> !existing.contains(t.name())).toList());
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
        return new EdgeSettings("edge-test", server(List.of()),
                new KafkaSettings(kafka.bootstrapServers(), kafka.registryUrl(), kafka.topicPrefix()),
                new EventSettings(true, 0, new EventSettings.Journal(journalDir, 1 << 20, 0, EventSettings.Fsync.NEVER, null)),
                pools, routes);
    }

    public static PoolSettings pool(String... urls) {
        return new PoolSettings(java.util.Arrays.stream(urls).map(u -> new PoolSettings.Instance(u, 1)).toList(), null, null, null, null, null);
    }

    public static RouteSettings route(String id, String path, String pool) {
        return new RouteSettings(id, new RouteSettings.Match(null, List.of(path), null, null),
                List.of(new RouteSettings.Destination(pool, 100)), null, null, null, null, null);
    }

    /** A route whose target is a topic. */
    public static RouteSettings kafkaRoute(String id, String path, io.eventgate.policy.model.KafkaTarget target) {
        return RouteSettings.builder(id, new RouteSettings.Match(null, List.of(path), null, null), List.of()).kafka(target).build();
    }
}
