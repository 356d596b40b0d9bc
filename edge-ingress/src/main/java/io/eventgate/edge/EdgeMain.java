package io.eventgate.edge;

import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.settings.ServiceMain;

/** Runs one edge node from a YAML file (default {@code config/edge.yaml}), with {@code EDGE_*} environment overrides. */
public final class EdgeMain {
    private EdgeMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ServiceMain.run(args, "config/edge.yaml", EdgeSettings.class, "EDGE", EdgeServer::start);
    }
}
