package dev.hato.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashes (RFC 9106) in the PHC string format
 * {@code $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>}, so parameters can be raised later while old
 * hashes keep verifying. Hashing is deliberately slow: call it off the event loops.
 */
public final class PasswordHasher {

    /** RFC 9106 §4 second recommended option is 64 MiB; 19 MiB × 2 passes is OWASP's floor, sized for login storms. */
    public static final PasswordHasher DEFAULT = new PasswordHasher(19_456, 2, 1);

    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();
    private static final int SALT_LENGTH = 16;
    private static final int HASH_LENGTH = 32;

    private final int memoryKib;
    private final int iterations;
    private final int parallelism;
    private final SecureRandom random = new SecureRandom();

    public PasswordHasher(int memoryKib, int iterations, int parallelism) {
        if (memoryKib < 8 * parallelism || iterations < 1 || parallelism < 1) {
            throw new IllegalArgumentException("invalid Argon2 parameters");
        }
        this.memoryKib = memoryKib;
        this.iterations = iterations;
        this.parallelism = parallelism;
    }

    /**
     * The stored credential for a new password: the Argon2id PHC string, a space, and the SCRAM-SHA-256 keys
     * ({@link ScramKeys}) derived at the same moment — the only moment the password is known.
     */
    public String hash(String password) {
        byte[] salt = new byte[SALT_LENGTH];
        random.nextBytes(salt);
        byte[] hash = derive(password, salt, memoryKib, iterations, parallelism, HASH_LENGTH);
        return "$argon2id$v=19$m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism + "$"
                + B64.encodeToString(salt) + "$" + B64.encodeToString(hash) + " " + ScramKeys.derive(password);
    }

    /**
     * False for a wrong password and for anything whose first verifier is not an Argon2id PHC string (older
     * credentials without SCRAM keys verify the same).
     */
    public boolean verify(String password, String credential) {
        int space = credential.indexOf(' ');
        String encoded = space < 0 ? credential : credential.substring(0, space);
        String[] parts = encoded.split("\\$");
        // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
        if (parts.length != 6 || !parts[1].equals("argon2id") || !parts[2].equals("v=19")) {
            return false;
        }
        try {
            int m = 0;
            int t = 0;
            int p = 0;
            for (String param : parts[3].split(",")) {
                String[] kv = param.split("=", 2);
                int value = Integer.parseInt(kv[1]);
                switch (kv[0]) {
                    case "m" -> m = value;
                    case "t" -> t = value;
                    case "p" -> p = value;
                    default -> {
                        return false;
                    }
                }
            }
            byte[] salt = B64D.decode(parts[4]);
            byte[] expected = B64D.decode(parts[5]);
            if (m < 8 || t < 1 || p < 1 || m > 4 * 1024 * 1024 || t > 100 || p > 64 || expected.length == 0) {
                return false;
            }
            byte[] actual = derive(password, salt, m, t, p, expected.length);
            return MessageDigest.isEqual(expected, actual);
        } catch (RuntimeException malformed) {
            return false;
        }
    }

    private static byte[] derive(String password, byte[] salt, int m, int t, int p, int length) {
        Argon2Parameters parameters = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(m)
                .withIterations(t)
                .withParallelism(p)
                .withSalt(salt)
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(parameters);
        byte[] out = new byte[length];
        generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
        return out;
    }
}
