package io.eventgate.webhooks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Resolves a subscription's {@code secretRef}: {@code env:NAME} from the environment, {@code file:/path} from a file. */
final class Secrets {
    private final Map<String, String> environment;

    Secrets(Map<String, String> environment) {
        this.environment = environment;
    }

    String resolve(String secretRef) {
        if (secretRef.startsWith("env:")) {
            String value = environment.get(secretRef.substring(4));
            if (value == null || value.isBlank()) {
                throw new IllegalStateException("secretRef " + secretRef + ": the environment variable is not set");
            }
            return value.trim();
        }
        try {
            return Files.readString(Path.of(secretRef.substring(5))).trim();
        } catch (IOException e) {
            throw new IllegalStateException("secretRef " + secretRef + ": cannot read the file: " + e.getMessage(), e);
        }
    }
}
