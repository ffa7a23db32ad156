package dev.hato.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A private key and the certificate chain it proves, leaf first (RFC 8446 §4.4.2: the sender's certificate must
 * come first; each following certificate should certify the one before it).
 */
record CertifiedKey(PrivateKey privateKey, List<X509Certificate> chain) {

    CertifiedKey {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a certificate chain needs at least the leaf certificate");
        }
        chain = List.copyOf(chain);
    }

    X509Certificate leaf() {
        return chain.get(0);
    }
}
