package io.eventgate.analytics;

import io.eventgate.settings.SettingsException;
import io.eventgate.settings.SettingsLoader;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** Runs analytics-streams from a YAML file (default {@code config/analytics-streams.yaml}) with {@code ANALYTICS_*} overrides. */
public final class AnalyticsStreamsMain {
    private AnalyticsStreamsMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        AnalyticsSettings settings;
        try {
            settings = SettingsLoader.load(Path.of(args.length > 0 ? args[0] : "config/analytics-streams.yaml"),
                    AnalyticsSettings.class, "ANALYTICS", System.getenv());
        } catch (SettingsException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        AnalyticsStreamsApp app = AnalyticsStreamsApp.start(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "analytics-streams-shutdown"));
        stopped.await();
    }
}
