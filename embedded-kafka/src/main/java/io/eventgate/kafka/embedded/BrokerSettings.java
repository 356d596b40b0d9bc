package io.eventgate.kafka.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where and how the embedded broker runs. Port 0 picks a free port at start (tests); the data
 * directory is reused across restarts, so topics and offsets survive.
 */
public record BrokerSettings(String host, int port, int controllerPort, Path dataDir, int defaultPartitions, Map<String, String> overrides) {
    public BrokerSettings {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("broker host is required");
        }
        checkPort("broker port", port);
        checkPort("controller port", controllerPort);
        if (port != 0 && port == controllerPort) {
            throw new IllegalArgumentException("broker and controller ports must differ, both are " + port);
        }
        if (dataDir == null) {
            throw new IllegalArgumentException("broker data directory is required");
        }
        if (defaultPartitions < 1) {
            throw new IllegalArgumentException("default partition count must be at least 1, was " + defaultPartitions);
        }
        overrides = Map.copyOf(overrides == null ? Map.of() : overrides);
    }

    /** 127.0.0.1:9092 with the controller on 9093, data under {@code dataDir}. */
    public static BrokerSettings local(Path dataDir) {
        return new BrokerSettings("127.0.0.1", 9092, 9093, dataDir, 1, Map.of());
    }

    /** Free ports and the given directory: for tests. */
    public static BrokerSettings ephemeral(Path dataDir) {
        return new BrokerSettings("127.0.0.1", 0, 0, dataDir, 1, Map.of());
    }

    /**
     * With a second client listener, FAULTABLE, on {@code faultPort} that advertises {@code advertisedPort}: a client
     * bootstrapping through it is told to reach the broker at {@code advertisedPort}, so a TCP proxy listening there
     * stands between that client and the broker for every connection (fault injection; other clients are unaffected).
     */
    public BrokerSettings withFaultListener(int faultPort, int advertisedPort) {
        checkPort("fault listener port", faultPort);
        checkPort("advertised fault listener port", advertisedPort);
        BrokerSettings resolved = withResolvedPorts();
        Map<String, String> listeners = new java.util.HashMap<>(overrides);
        listeners.put("listeners", "PLAINTEXT://" + host + ":" + resolved.port + ",FAULTABLE://" + host + ":" + faultPort
                + ",CONTROLLER://" + host + ":" + resolved.controllerPort);
        listeners.put("advertised.listeners", "PLAINTEXT://" + host + ":" + resolved.port + ",FAULTABLE://" + host + ":" + advertisedPort);
        listeners.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,FAULTABLE:PLAINTEXT,CONTROLLER:PLAINTEXT");
        return new BrokerSettings(host, resolved.port, resolved.controllerPort, dataDir, defaultPartitions, listeners);
    }

    BrokerSettings withResolvedPorts() {
        int resolvedPort = port == 0 ? freePort(host) : port;
        int resolvedController = controllerPort;
        while (resolvedController == 0 || resolvedController == resolvedPort) {
            resolvedController = freePort(host);
        }
        return new BrokerSettings(host, resolvedPort, resolvedController, dataDir, defaultPartitions, overrides);
    }

    private static void checkPort(String what, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(what + " must be between 0 and 65535, was " + port);
        }
    }

    private static int freePort(String host) {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + host, e);
        }
    }
}
