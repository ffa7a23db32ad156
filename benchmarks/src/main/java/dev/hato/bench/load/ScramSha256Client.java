package dev.hato.bench.load;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The client side of SCRAM-SHA-256 (RFC 5802, RFC 7677) for {@link ImapClient#authenticate}: answers the empty first
 * challenge with the client-first-message, the server-first-message with the client-final-message (proof), and
 * checks the server's signature in the server-final-message. SaltedPassword is kept per account, salt and
 * iteration count, as RFC 5802 §5.1 lets a client do: opening thousands of sessions for one account costs one
 * PBKDF2 and the server no password hash at all, which is how many sessions a load test can open quickly.
 */
final class ScramSha256Client implements UnaryOperator<byte[]> {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Map<String, byte[]> SALTED = new ConcurrentHashMap<>();

    private final String username;
    private final String password;
    private final String clientFirstBare;
    private final String nonce;
    private int step;
    private byte[] saltedPassword = new byte[0];
    private String authMessage = "";

    ScramSha256Client(String username, String password) {
        this(username, password, randomNonce());
    }

    /** With a given client nonce: for the RFC 7677 §3 example in the tests. */
    ScramSha256Client(String username, String password, String nonce) {
        this.username = username;
        this.password = password;
        this.nonce = nonce;
        // RFC 5802 §5.1: "=" and "," in a username are sent as "=3D" and "=2C".
        this.clientFirstBare = "n=" + username.replace("=", "=3D").replace(",", "=2C") + ",r=" + nonce;
    }

    private static String randomNonce() {
        byte[] random = new byte[18];
        RANDOM.nextBytes(random);
        return Base64.getEncoder().encodeToString(random);
    }

    @Override
    public byte[] apply(byte[] challenge) {
        try {
            return switch (step++) {
                case 0 -> ("n,," + clientFirstBare).getBytes(StandardCharsets.UTF_8);
                case 1 -> clientFinal(new String(challenge, StandardCharsets.UTF_8));
                case 2 -> verifyServerFinal(new String(challenge, StandardCharsets.UTF_8));
                default -> throw new IllegalStateException("SCRAM: unexpected challenge after the server-final");
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SCRAM: " + e.getMessage(), e);
        }
    }

    private byte[] clientFinal(String serverFirst) throws GeneralSecurityException {
        String combined = null;
        byte[] salt = null;
        int iterations = 0;
        for (String attribute : serverFirst.split(",")) {
            if (attribute.startsWith("r=")) {
                combined = attribute.substring(2);
            } else if (attribute.startsWith("s=")) {
                salt = Base64.getDecoder().decode(attribute.substring(2));
            } else if (attribute.startsWith("i=")) {
                iterations = Integer.parseInt(attribute.substring(2));
            }
        }
        if (combined == null || salt == null || iterations < 1 || iterations > 1_000_000
                || !combined.startsWith(nonce) || combined.length() == nonce.length()) {
            throw new IllegalStateException("SCRAM: bad server-first-message " + serverFirst);
        }
        byte[] saltValue = salt;
        int count = iterations;
        saltedPassword = SALTED.computeIfAbsent(username + "\0" + Base64.getEncoder().encodeToString(salt) + "\0" + count,
                key -> hi(saltValue, count));
        byte[] clientKey = hmac(saltedPassword, "Client Key");
        byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
        String withoutProof = "c=biws,r=" + combined;  // "biws" = base64("n,,"): no channel binding
        authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] signature = hmac(storedKey, authMessage);
        byte[] proof = new byte[clientKey.length];
        for (int i = 0; i < proof.length; i++) {
            proof[i] = (byte) (clientKey[i] ^ signature[i]);
        }
        return (withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] verifyServerFinal(String serverFinal) throws GeneralSecurityException {
        byte[] expected = hmac(hmac(saltedPassword, "Server Key"), authMessage);
        if (!serverFinal.equals("v=" + Base64.getEncoder().encodeToString(expected))) {
            throw new IllegalStateException("SCRAM: the server's signature does not verify: " + serverFinal);
        }
        return new byte[0];
    }

    /** RFC 5802 §2.2 Hi() is PBKDF2 with HMAC-SHA-256 and one block of output. */
    private byte[] hi(byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SCRAM: PBKDF2 unavailable", e);
        }
    }

    private static byte[] hmac(byte[] key, String text) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    }
}
