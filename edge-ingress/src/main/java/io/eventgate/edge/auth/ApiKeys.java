package io.eventgate.edge.auth;

import io.eventgate.policy.model.ConsumerSettings;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * The consumers' API keys, held only as SHA-256 hashes. A presented key is hashed and its hash compared in
 * constant time with the stored one, so neither the keys nor timing reveal anything.
 */
public final class ApiKeys {
    private record Holder(String consumerId, byte[] hash) {
    }

    private final Map<String, Holder> byHash;

    private ApiKeys(Map<String, Holder> byHash) {
        this.byHash = byHash;
    }

    public static ApiKeys of(Map<String, ConsumerSettings> consumers) {
        Map<String, Holder> byHash = new HashMap<>();
        consumers.forEach((id, consumer) -> consumer.apiKeys().forEach(stored -> {
            String hex = stored.substring("sha256:".length());
            if (byHash.put(hex, new Holder(id, HexFormat.of().parseHex(hex))) != null) {
                throw new IllegalArgumentException("consumers." + id + ": an API key is shared with another consumer");
            }
        }));
        return new ApiKeys(Map.copyOf(byHash));
    }

    /** The consumer holding {@code presented}, if any. */
    public Optional<String> consumerOf(String presented) {
        byte[] hash = sha256(presented);
        Holder holder = byHash.get(HexFormat.of().formatHex(hash));
        if (holder == null || !MessageDigest.isEqual(holder.hash(), hash)) {
            return Optional.empty();
        }
        return Optional.of(holder.consumerId());
    }

    /** What events say of a key that matched no consumer: enough to count its failures, never enough to recover it. */
    public static String fingerprint(String key) {
        return fingerprint("apikey", key);
    }

    /** The same for any credential: its kind, then 16 hex digits of its SHA-256. */
    public static String fingerprint(String kind, String credential) {
        return kind + ":" + HexFormat.of().formatHex(sha256(credential)).substring(0, 16);
    }

    /** The stored form of a key: {@code sha256:<hex>}. */
    public static String hash(String key) {
        return ConsumerSettings.hashKey(key);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
