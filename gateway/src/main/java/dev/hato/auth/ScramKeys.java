package dev.hato.auth;

import com.ongres.saslprep.SASLprep;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * SCRAM-SHA-256 verifiers (RFC 5802, RFC 7677), derived when a password is set so that SCRAM logins need neither
 * the password nor its Argon2id hash: {@code SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>} in the
 * RFC 5803 layout.
 */
public final class ScramKeys {

    /** RFC 7677 §4: at least 4096 iterations. */
    public static final int ITERATIONS = 4096;
    private static final String PREFIX = "SCRAM-SHA-256$";
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final SASLprep SASL_PREP = new SASLprep();

    /** The keys a server keeps for one account. */
    public record Keys(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey) { }

    private ScramKeys() { }

    public static String derive(String password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return encode(derive(password, salt, ITERATIONS));
    }

    /**
     * RFC 5802 §3: SaltedPassword = Hi(password, salt, i); StoredKey = H(HMAC(SaltedPassword, "Client Key"));
     * ServerKey = HMAC(SaltedPassword, "Server Key"), over the password prepared with SASLprep ({@link #prepare}).
     */
    public static Keys derive(String password, byte[] salt, int iterations) {
        try {
            String prepared = prepare(password);
            SecretKeyFactory pbkdf2 = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            byte[] salted = pbkdf2.generateSecret(new PBEKeySpec(prepared.toCharArray(), salt, iterations, 256))
                    .getEncoded();
            byte[] clientKey = hmac(salted, "Client Key");
            byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
            return new Keys(iterations, salt.clone(), storedKey, hmac(salted, "Server Key"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 and HmacSHA256 are required on every Java platform",
                    e);
        }
    }

    /**
     * RFC 5802 §2.2 Normalize(): SASLprep (RFC 4013) for a stored string, as a SCRAM client prepares the password it
     * types: non-ASCII spaces mapped to a space, soft hyphens and other invisible characters dropped, NFKC,
     * prohibited and unassigned code points refused. A password SASLprep refuses as a stored string is tried as a
     * query (unassigned code points allowed: newer Unicode than RFC 3454's 3.2), and one it refuses even then (control
     * characters, say) is used as it is; no conforming SCRAM client can send such a password, so those keys are never
     * matched, and PLAIN and LOGIN, which check the Argon2id hash of the password as typed, still work.
     */
    static String prepare(String password) {
        try {
            return SASL_PREP.prepareStored(password);
        } catch (IllegalArgumentException notStorable) {
            try {
                return SASL_PREP.prepareQuery(password);
            } catch (IllegalArgumentException prohibited) {
                return password;
            }
        } catch (IndexOutOfBoundsException mappedToNothing) {
            // A password of nothing but characters SASLprep maps to nothing (soft hyphen, zero-width space): the
            // library fails on the empty result (ArrayIndexOutOfBoundsException, found by fuzzing). No client can
            // prepare it either; kept as typed, like a prohibited one.
            return password;
        }
    }

    public static String encode(Keys keys) {
        return PREFIX + keys.iterations() + ":" + B64.encodeToString(keys.salt()) + "$"
                + B64.encodeToString(keys.storedKey()) + ":" + B64.encodeToString(keys.serverKey());
    }

    /** The keys in a stored credential (which may hold other verifiers too, separated by spaces). */
    public static Optional<Keys> find(String credential) {
        for (String part : credential.split(" ")) {
            if (part.startsWith(PREFIX)) {
                try {
                    String[] halves = part.substring(PREFIX.length()).split("\\$");
                    String[] head = halves[0].split(":");
                    String[] tail = halves[1].split(":");
                    Base64.Decoder d = Base64.getDecoder();
                    return Optional.of(new Keys(Integer.parseInt(head[0]), d.decode(head[1]), d.decode(tail[0]),
                            d.decode(tail[1])));
                } catch (RuntimeException malformed) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    static byte[] hmac(byte[] key, String message) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
    }
}
