package io.eventgate.local;

import io.eventgate.settings.SettingsException;
import io.eventgate.settings.SettingsLoader;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** {@code ./gateway local}: starts the local stack from a YAML file (default {@code config/local.yaml}) and runs until Ctrl-C or SIGTERM. */
public final class LocalStackMain {
    private LocalStackMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path configFile = Path.of(args.length > 0 ? args[0] : "config/local.yaml");
        LocalStackSettings settings;
        try {
            settings = SettingsLoader.load(configFile, LocalStackSettings.class, "GATEWAY", System.getenv());
        } catch (SettingsException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        long began = System.nanoTime();
        LocalStack stack = LocalStack.start(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("stopping eventgate local stack...");
            stack.close();
            System.out.println("stopped cleanly");
            stopped.countDown();
        }, "local-stack-shutdown"));
        System.out.print(stack.summary());
        System.out.printf("  ready in %.1f s; Ctrl-C stops everything%n", (System.nanoTime() - began) / 1e9);
        stopped.await();
    }
}
