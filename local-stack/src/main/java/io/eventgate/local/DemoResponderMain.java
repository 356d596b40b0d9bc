package io.eventgate.local;

import io.eventgate.schemas.registry.SchemaRegistryClient;
import io.eventgate.settings.ServiceMain;

/**
 * The sample topics' schemas and the demo responder on their own, for docker-compose (the local stack starts them
 * itself): registers the value schemas of demo.orders, demo.quote-requests and demo.quote-replies, then answers quote
 * requests until stopped. Usage: {@code DemoResponderMain BOOTSTRAP_SERVERS SCHEMA_REGISTRY_URL}.
 */
public final class DemoResponderMain {
    private DemoResponderMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: DemoResponderMain BOOTSTRAP_SERVERS SCHEMA_REGISTRY_URL");
            System.exit(2);
        }
        SchemaRegistryClient registry = SchemaRegistryClient.of(args[1]);
        SampleTopics.register(registry);
        DemoResponder responder = DemoResponder.start(args[0], registry);
        System.out.println("demo responder: schemas of the sample topics registered; answering " + SampleTopics.QUOTE_REQUESTS);
        ServiceMain.runUntilStopped(responder);
    }
}
