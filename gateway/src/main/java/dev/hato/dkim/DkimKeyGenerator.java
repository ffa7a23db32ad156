package dev.hato.dkim;

import dev.hato.store.keys.DkimKey;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;

/** Makes new DKIM keys: PKCS#8 private key and the DNS p= value, ready to store. */
public final class DkimKeyGenerator {

    /** RFC 8301 §3.2: signers MUST use at least 1024 bits and SHOULD use 2048. */
    public static final int MIN_RSA_BITS = 1024;
    public static final int MAX_RSA_BITS = 4096;
    public static final int DEFAULT_RSA_BITS = 2048;

    private final SecureRandom random;

    public DkimKeyGenerator(SecureRandom random) {
        this.random = random;
    }

    /**
     * A new key for {@code domain} under {@code selector}. Blocks for a fraction of a second (RSA prime search):
     * call it off any event loop.
     *
     * @param bits RSA modulus size, 1024 to 4096 (ignored for Ed25519)
     */
    public DkimKey generate(String domain, String selector, DkimAlgorithm algorithm, int bits, Instant created,
                            boolean active) {
        if (algorithm == DkimAlgorithm.RSA_SHA256 && (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS)) {
            throw new IllegalArgumentException("RSA keys must have " + MIN_RSA_BITS + " to " + MAX_RSA_BITS
                    + " bits, not " + bits + " (RFC 8301 §3.2; 2048 is recommended)");
        }
        String name = DkimKey.dnsName(domain, "domain");
        String sel = DkimKey.dnsName(selector, "selector");
        KeyPair pair = algorithm.generate(bits, random);
        return new DkimKey(name, sel, algorithm.tag(), SigningKey.pem(pair.getPrivate().getEncoded()),
                Base64.getEncoder().encodeToString(algorithm.publicKeyData(pair.getPublic())), created, active);
    }
}
