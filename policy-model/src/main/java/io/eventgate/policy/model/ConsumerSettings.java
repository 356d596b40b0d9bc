package io.eventgate.policy.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import javax.security.auth.x500.X500Principal;

/**
 * A consumer of the API: its plan, its groups, its API keys, stored only as SHA-256 hashes
 * ({@code sha256:<64 hex>}; two keys may be active at once, so a key can be rotated without downtime), and
 * the hash of its password for HTTP Basic (bcrypt {@code $2b$...} or Argon2id {@code $argon2id$...}), with its id
 * as the user name, and the client certificates that identify it over mutual TLS: a subject
 * ({@code CN=acme,O=Example}) or a subject alternative name ({@code dns:acme.example.com}, {@code uri:...},
 * {@code email:...}).
 */
public record ConsumerSettings(String plan, List<String> apiKeys, List<String> groups, String passwordHash, List<String> certificates) {
    private static final Pattern KEY_HASH = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final Pattern PASSWORD_HASH = Pattern.compile("\\$2[aby]\\$\\d{2}\\$[./A-Za-z0-9]{53}|\\$argon2id\\$v=19\\$m=\\d+,t=\\d+,p=\\d+\\$[A-Za-z0-9+/]+\\$[A-Za-z0-9+/]+");

    public ConsumerSettings {
        Check.required(plan, "plan");
        apiKeys = List.copyOf(Check.orDefault(apiKeys, List.of()));
        if (apiKeys.size() > 2) {
            throw new IllegalArgumentException("apiKeys holds at most two keys (the current one and the one being rotated in), found " + apiKeys.size());
        }
        for (String key : apiKeys) {
            if (!isHashedKey(key)) {
                throw new IllegalArgumentException("apiKeys must hold SHA-256 hashes written as sha256:<64 lower-case hex digits>,"
                        + " never a key in plain text; hash one with: printf %s KEY | sha256sum");
            }
        }
        groups = List.copyOf(Check.orDefault(groups, List.of()));
        certificates = List.copyOf(Check.orDefault(certificates, List.of()));
        for (String certificate : certificates) {
            try {
                certificateIdentity(certificate);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("certificates: '" + certificate + "' is neither a subject (CN=...,O=...) nor dns:, uri: or email:");
            }
        }
        if (passwordHash != null && !PASSWORD_HASH.matcher(passwordHash).matches()) {
            throw new IllegalArgumentException("passwordHash must be a bcrypt ($2b$...) or Argon2id ($argon2id$v=19$...) hash,"
                    + " never a password in plain text");
        }
    }

    public ConsumerSettings(String plan, List<String> apiKeys, List<String> groups) {
        this(plan, apiKeys, groups, null, null);
    }

    public ConsumerSettings(String plan, List<String> apiKeys, List<String> groups, String passwordHash) {
        this(plan, apiKeys, groups, passwordHash, null);
    }

    /** A certificate identity as it is compared: subjects in RFC 2253 form, alternative names as written. */
    public static String certificateIdentity(String written) {
        if (written.startsWith("dns:") || written.startsWith("uri:") || written.startsWith("email:")) {
            return written;
        }
        return new X500Principal(written).getName(X500Principal.RFC2253);
    }

    /** The stored form of an API key: {@code sha256:<64 hex>}. */
    public static String hashKey(String key) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Whether {@code text} is a key's stored form rather than a key. */
    public static boolean isHashedKey(String text) {
        return KEY_HASH.matcher(text).matches();
    }
}
