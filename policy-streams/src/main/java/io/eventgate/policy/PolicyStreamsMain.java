package io.eventgate.policy;

import io.eventgate.settings.SettingsException;
import io.eventgate.settings.SettingsLoader;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** Runs policy-streams from a YAML file (default {@code config/policy-streams.yaml}) with {@code POLICY_*} overrides. */
public final class PolicyStreamsMain {
    private PolicyStreamsMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        PolicyStreamsSettings settings;
        try {
            settings = SettingsLoader.load(Path.of(args.length > 0 ? args[0] : "config/policy-streams.yaml"),
                    PolicyStreamsSettings.class, "POLICY", System.getenv());
        } catch (SettingsException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        PolicyStreamsApp app = PolicyStreamsApp.start(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "policy-streams-shutdown"));
        stopped.await();
    }
}
