package io.eventgate.edge.auth;

import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.policy.model.ConsumerSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * HTTP Basic: the consumer's id and its password, checked against the consumer's bcrypt or Argon2id hash. Those
 * hashes are slow on purpose, so a password that matched is remembered for a minute (by a SHA-256 of the
 * stored hash and the password, so a changed hash forgets it at once).
 */
final class BasicAuthenticator implements Authenticator {
    private static final Duration REMEMBER = Duration.ofMinutes(1);
    private static final int MAX_REMEMBERED = 10_000;
    private final Map<String, Long> matched = new ConcurrentHashMap<>();
    private volatile Typical typical;

    @Override
    public Identification identify(Exchange exchange) {
        String authorization = exchange.header("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Identification.ABSENT;
        }
        String userAndPassword;
        try {
            userAndPassword = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Identification.Refused.unauthenticated("malformed Basic credentials", null);
        }
        int colon = userAndPassword.indexOf(':');
        if (colon < 0) {
            return Identification.Refused.unauthenticated("malformed Basic credentials", null);
        }
        String user = userAndPassword.substring(0, colon);
        String password = userAndPassword.substring(colon + 1);
        ConsumerSettings consumer = exchange.snapshot().settings().consumers().get(user);
        if (consumer == null || consumer.passwordHash() == null) {
            // as slow as a wrong password, so the answer's timing does not tell which users exist
            PasswordHashes.matches(PasswordHashes.decoyLike(typicalHash(exchange.snapshot())), password);
            return Identification.Refused.unauthenticated("unknown user or wrong password", ApiKeys.fingerprint("basic", user));
        }
        if (!matches(consumer.passwordHash(), password)) {
            return Identification.Refused.unauthenticated("unknown user or wrong password", ApiKeys.fingerprint("basic", user));
        }
        return new Identification.Identified(user);
    }

    /** A password hash of the snapshot's consumers, whose cost the decoy copies; looked up once per snapshot. */
    private String typicalHash(io.eventgate.edge.snapshot.Snapshot snapshot) {
        Typical known = typical;
        if (known == null || known.snapshot() != snapshot) {
            String hash = snapshot.settings().consumers().values().stream().map(ConsumerSettings::passwordHash)
                    .filter(java.util.Objects::nonNull).findFirst().orElse(PasswordHashes.DEFAULT_COST);
            known = new Typical(snapshot, hash);
            typical = known;
        }
        return known.hash();
    }

    private record Typical(io.eventgate.edge.snapshot.Snapshot snapshot, String hash) {
    }

    private boolean matches(String stored, String password) {
        String key = ApiKeys.hash(stored + "\n" + password);
        Long until = matched.get(key);
        long now = System.nanoTime();
        if (until != null && until - now > 0) {
            return true;
        }
        if (!PasswordHashes.matches(stored, password)) {
            return false;
        }
        if (matched.size() >= MAX_REMEMBERED) {
            matched.clear();
        }
        matched.put(key, now + REMEMBER.toNanos());
        return true;
    }

    @Override
    public String method() {
        return "basic";
    }

    @Override
    public String challenge() {
        return "Basic realm=\"eventgate\"";
    }
}
