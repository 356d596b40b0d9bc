package io.eventgate.local;

import io.eventgate.settings.ServiceMain;

/** {@code ./gateway local}: starts the local stack from a YAML file (default {@code config/local.yaml}) and runs until Ctrl-C or SIGTERM. */
public final class LocalStackMain {
    private LocalStackMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ServiceMain.run(args, "config/local.yaml", LocalStackSettings.class, "GATEWAY", settings -> {
            long began = System.nanoTime();
            LocalStack stack = LocalStack.start(settings);
            System.out.print(stack.summary());
            System.out.printf("  ready in %.1f s; Ctrl-C stops everything%n", (System.nanoTime() - began) / 1e9);
            return () -> {
                System.out.println("stopping eventgate local stack...");
                stack.close();
                System.out.println("stopped cleanly");
            };
        });
    }
}
