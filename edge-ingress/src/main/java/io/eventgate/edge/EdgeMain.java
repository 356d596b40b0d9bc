package io.eventgate.edge;

import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.settings.SettingsException;
import io.eventgate.settings.SettingsLoader;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** Runs one edge node from a YAML file (default {@code config/edge.yaml}), with {@code EDGE_*} environment overrides. */
public final class EdgeMain {
    private EdgeMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path file = Path.of(args.length > 0 ? args[0] : "config/edge.yaml");
        EdgeSettings settings;
        try {
            settings = SettingsLoader.load(file, EdgeSettings.class, "EDGE", System.getenv());
        } catch (SettingsException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        EdgeServer edge = EdgeServer.start(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            edge.close();
            stopped.countDown();
        }, "edge-shutdown"));
        stopped.await();
    }
}
