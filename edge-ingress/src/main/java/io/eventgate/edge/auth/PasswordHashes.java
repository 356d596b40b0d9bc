package io.eventgate.edge.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.params.Argon2Parameters;

/** Checks a password against a stored bcrypt ({@code $2b$...}) or Argon2id ({@code $argon2id$v=19$m=..,t=..,p=..$salt$hash}) hash, with Bouncy Castle. */
public final class PasswordHashes {
    private PasswordHashes() {
    }

    public static boolean matches(String stored, String password) {
        if (stored.startsWith("$2")) {
            return OpenBSDBCrypt.checkPassword(stored, password.toCharArray());
        }
        String[] parts = stored.split("\\$"); // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
        String[] cost = parts[3].split(",");
        byte[] salt = Base64.getDecoder().decode(parts[4]);
        byte[] expected = Base64.getDecoder().decode(parts[5]);
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(Integer.parseInt(cost[0].substring(2))).withIterations(Integer.parseInt(cost[1].substring(2)))
                .withParallelism(Integer.parseInt(cost[2].substring(2))).withSalt(salt).build());
        byte[] actual = new byte[expected.length];
        generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), actual);
        return MessageDigest.isEqual(actual, expected);
    }
}
