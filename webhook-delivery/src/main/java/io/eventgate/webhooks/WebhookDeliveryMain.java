package io.eventgate.webhooks;

import io.eventgate.settings.ServiceMain;
import io.eventgate.settings.SettingsLoader;
import java.nio.file.Path;

/** Runs webhook delivery from a YAML file (e.g. {@code config/webhook-delivery.yaml}); any value can be set from WEBHOOKS_*. */
public final class WebhookDeliveryMain {
    private WebhookDeliveryMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path config = Path.of(args.length > 0 ? args[0] : "config/webhook-delivery.yaml");
        WebhookDeliverySettings settings = SettingsLoader.load(config, WebhookDeliverySettings.class, "WEBHOOKS", System.getenv());
        WebhookDeliveryApp app = WebhookDeliveryApp.start(settings, System.getenv());
        ServiceMain.runUntilStopped(app);
    }
}
