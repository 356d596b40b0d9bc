package io.eventgate.edge.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.params.Argon2Parameters;

/** Checks a password against a stored bcrypt ({@code $2b$...}) or Argon2id ({@code $argon2id$v=19$m=..,t=..,p=..$salt$hash}) hash, with Bouncy Castle. */
public final class PasswordHashes {
    /** The cost of the decoy checked when no consumer has a password to take the cost from: bcrypt's usual 10. */
    static final String DEFAULT_COST = "$2b$10$";
    private static final java.util.Map<String, String> DECOYS = new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private PasswordHashes() {
    }

    /**
     * A hash of a random password with the algorithm and cost of {@code like}, made once per cost: checking a password
     * against it takes as long as checking against {@code like}, so an unknown user costs as much time as a wrong password.
     */
    static String decoyLike(String like) {
        String cost = like.startsWith("$2") ? like.substring(0, 7) : like.substring(0, like.lastIndexOf('$', like.lastIndexOf('$') - 1) + 1);
        return DECOYS.computeIfAbsent(cost, c -> {
            byte[] salt = new byte[16];
            RANDOM.nextBytes(salt);
            String secret = java.util.HexFormat.of().formatHex(salt);
            if (c.startsWith("$2")) {
                return OpenBSDBCrypt.generate(c.substring(1, 3), secret.toCharArray(), salt, Integer.parseInt(c.substring(4, 6)));
            }
            String[] parts = like.split("\\$");
            byte[] hash = argon2id(parts[3], salt, secret, Base64.getDecoder().decode(parts[5]).length);
            Base64.Encoder base64 = Base64.getEncoder().withoutPadding();
            return c + base64.encodeToString(salt) + "$" + base64.encodeToString(hash);
        });
    }

    public static boolean matches(String stored, String password) {
        if (stored.startsWith("$2")) {
            return OpenBSDBCrypt.checkPassword(stored, password.toCharArray());
        }
        String[] parts = stored.split("\\$"); // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
        byte[] expected = Base64.getDecoder().decode(parts[5]);
        return MessageDigest.isEqual(argon2id(parts[3], Base64.getDecoder().decode(parts[4]), password, expected.length), expected);
    }

    /** Argon2id (version 19) of {@code password} with {@code cost} as stored ({@code m=..,t=..,p=..}) and {@code salt}. */
    private static byte[] argon2id(String cost, byte[] salt, String password, int length) {
        String[] parameters = cost.split(",");
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(Integer.parseInt(parameters[0].substring(2))).withIterations(Integer.parseInt(parameters[1].substring(2)))
                .withParallelism(Integer.parseInt(parameters[2].substring(2))).withSalt(salt).build());
        byte[] hash = new byte[length];
        generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), hash);
        return hash;
    }
}
