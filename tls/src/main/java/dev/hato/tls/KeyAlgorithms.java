package dev.hato.tls;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** What Hato knows about the key algorithms it serves: which ones, how to name them, how to prove a pair. */
final class KeyAlgorithms {

    private static final byte[] CHALLENGE = "hato: does this key belong to this certificate?"
            .getBytes(StandardCharsets.US_ASCII);

    private KeyAlgorithms() {
    }

    /**
     * The signature algorithm that proves possession of {@code key}, or {@code null} for an algorithm BC JSSE cannot
     * serve a certificate for (RFC 8446 §4.2.3 signature schemes: RSA, ECDSA, EdDSA).
     */
    static @Nullable String proofAlgorithm(String keyAlgorithm) {
        return switch (keyAlgorithm.toUpperCase(Locale.ROOT)) {
            case "RSA" -> "SHA256withRSA";
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "ED25519" -> "Ed25519";
            case "ED448" -> "Ed448";
            default -> null;
        };
    }

    /**
     * True when {@code privateKey} is the private half of {@code publicKey}. Signing and verifying a challenge works
     * for every algorithm alike, where comparing key fields would need one rule per algorithm (an EC private key does
     * not even carry its public point).
     */
    static boolean belongTogether(PrivateKey privateKey, PublicKey publicKey) {
        String algorithm = proofAlgorithm(privateKey.getAlgorithm());
        if (algorithm == null || !sameFamily(privateKey.getAlgorithm(), publicKey.getAlgorithm())) {
            return false;
        }
        try {
            Signature signer = Signature.getInstance(algorithm, BouncyCastle.JCA);
            signer.initSign(privateKey);
            signer.update(CHALLENGE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm, BouncyCastle.JCA);
            verifier.initVerify(publicKey);
            verifier.update(CHALLENGE);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            // e.g. an EC key on one curve against a certificate for another: not the same pair.
            return false;
        }
    }

    /** True for the same algorithm under its different names ("EC" from one provider, "ECDSA" from another). */
    static boolean sameFamily(String oneAlgorithm, String otherAlgorithm) {
        return family(oneAlgorithm).equals(family(otherAlgorithm));
    }

    /** "RSA-2048", "ECDSA P-256", "Ed25519": how the banner and the error messages name a key. */
    static String describe(PublicKey key) {
        if (key instanceof RSAKey rsa) {
            return "RSA-" + rsa.getModulus().bitLength();
        }
        if (key instanceof ECKey ec) {
            int bits = ec.getParams().getOrder().bitLength();
            return switch (bits) {
                case 256, 384, 521 -> "ECDSA P-" + bits;
                default -> "ECDSA " + bits + "-bit";
            };
        }
        return key.getAlgorithm();
    }

    private static String family(String algorithm) {
        String upper = algorithm.toUpperCase(Locale.ROOT);
        return upper.equals("ECDSA") ? "EC" : upper;
    }
}
