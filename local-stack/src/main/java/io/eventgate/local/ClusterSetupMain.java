package io.eventgate.local;

import io.eventgate.registry.EmbeddedSchemaRegistry;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.registry.SchemaRegistryClient;
import io.eventgate.settings.ServiceMain;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The shared parts of the multi-process cluster (`./gateway cluster`) beside its brokers: creates the contract and
 * sample topics at the brokers' default replication (three replicas, two in sync on a three-node cluster), serves the
 * schema registry with every contract and sample schema registered, and runs the demo responder. Usage:
 * {@code ClusterSetupMain BOOTSTRAP_SERVERS REGISTRY_HOST REGISTRY_PORT DATA_DIR PARTITIONS}.
 */
public final class ClusterSetupMain {
    private ClusterSetupMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: ClusterSetupMain BOOTSTRAP_SERVERS REGISTRY_HOST REGISTRY_PORT DATA_DIR PARTITIONS");
            System.exit(2);
        }
        String bootstrap = args[0];
        int partitions = Integer.parseInt(args[4]);
        Topics topics = new Topics("gateway.");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            LocalStack.createMissingTopics(admin, topics.newTopics(partitions));
            LocalStack.createMissingTopics(admin, SampleTopics.topics(partitions));
        }
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(args[1], Integer.parseInt(args[2]), Path.of(args[3]).resolve("schema-registry.jsonl"));
        SchemaRegistryClient client = SchemaRegistryClient.of(registry.url());
        LocalStack.registerContractSchemas(client, topics);
        SampleTopics.register(client);
        DemoResponder responder = DemoResponder.start(bootstrap, client);
        System.out.println("cluster setup: topics created on " + bootstrap + ", schema registry on " + registry.url() + ", demo responder answering");
        ServiceMain.runUntilStopped(() -> {
            responder.close();
            registry.close();
        });
    }
}
