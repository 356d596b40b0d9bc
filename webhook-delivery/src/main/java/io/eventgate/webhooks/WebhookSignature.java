package io.eventgate.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signatures per the Standard Webhooks convention: HMAC-SHA256 over {@code id.timestamp.body} with the secret's bytes
 * (a {@code whsec_} secret is base64 after its prefix; any other is taken as UTF-8), sent as {@code webhook-signature:
 * v1,<base64>} beside {@code webhook-id} and {@code webhook-timestamp} (seconds since the epoch). Written with the JDK's
 * HMAC: the convention's own Java library is not on Maven Central.
 */
final class WebhookSignature {
    private WebhookSignature() {
    }

    static byte[] secretBytes(String secret) {
        return secret.startsWith("whsec_") ? Base64.getDecoder().decode(secret.substring(6)) : secret.getBytes(StandardCharsets.UTF_8);
    }

    static String sign(byte[] secret, String id, long timestampSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((id + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
