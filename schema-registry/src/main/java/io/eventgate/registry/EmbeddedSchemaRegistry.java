package io.eventgate.registry;

import io.helidon.webserver.WebServer;
import java.nio.file.Path;

/**
 * A schema registry serving the Confluent REST API over HTTP from inside this JVM, for local mode and
 * tests. Point any Confluent-compatible client at {@link #url()}.
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {
    private final WebServer server;
    private final SchemaStore store;

    private EmbeddedSchemaRegistry(WebServer server, SchemaStore store) {
        this.server = server;
        this.store = store;
    }

    /**
     * Starts the registry on {@code host:port} (port 0 picks a free one). With a journal path, registrations
     * survive restarts; with null, they live in memory only.
     */
    public static EmbeddedSchemaRegistry start(String host, int port, Path journal) {
        SchemaStore store = journal == null ? new SchemaStore() : new SchemaStore(journal);
        WebServer server = WebServer.builder()
                .host(host)
                .port(port)
                .routing(routing -> routing.register(new RegistryService(store)))
                .build()
                .start();
        return new EmbeddedSchemaRegistry(server, store);
    }

    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    public int port() {
        return server.port();
    }

    public SchemaStore store() {
        return store;
    }

    @Override
    public void close() {
        server.stop();
    }
}
