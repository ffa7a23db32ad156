package dev.hato.dkim;

import dev.hato.store.keys.DkimKey;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.Objects;

/** A stored key made ready to sign with: its algorithm, where its record is, and the parsed private key. */
record SigningKey(DkimAlgorithm algorithm, String domain, String selector, PrivateKey privateKey) {

    SigningKey {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(privateKey, "privateKey");
    }

    /** Parses the stored PKCS#8 PEM; IllegalStateException names the key when it cannot be read. */
    static SigningKey of(DkimKey key) {
        DkimAlgorithm algorithm = DkimAlgorithm.of(key.algorithm());
        try {
            return new SigningKey(algorithm, key.domain(), key.selector(),
                    algorithm.privateKey(pkcs8(key.privateKey())));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("the DKIM key " + key.recordName() + " cannot be read: " + e.getMessage(),
                    e);
        }
    }

    /** The DER inside a {@code BEGIN PRIVATE KEY} PEM block (RFC 7468 §10). */
    static byte[] pkcs8(String pem) {
        String begin = "-----BEGIN PRIVATE KEY-----";
        String end = "-----END PRIVATE KEY-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("no PKCS#8 PEM block");
        }
        return Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to).trim());
    }

    /** A PKCS#8 DER encoding as PEM, 64 characters a line (RFC 7468 §2). */
    static String pem(byte[] pkcs8) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(pkcs8)
                + "\n-----END PRIVATE KEY-----\n";
    }
}
