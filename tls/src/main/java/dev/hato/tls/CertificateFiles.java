package dev.hato.tls;

import java.nio.file.Path;

/**
 * One certificate the operator configured: a PEM chain (leaf first) and its unencrypted private key. Hato serves it
 * for the DNS names in the leaf's subjectAltName and reloads it when either file changes.
 *
 * @param certificateChainPem the chain, leaf first
 * @param privateKeyPem the leaf's private key
 */
public record CertificateFiles(Path certificateChainPem, Path privateKeyPem) {

    public CertificateFiles {
        if (certificateChainPem == null || privateKeyPem == null) {
            throw new TlsException("a certificate needs both its chain and its private key: chain "
                    + certificateChainPem + ", key " + privateKeyPem);
        }
    }

    @Override
    public String toString() {
        return certificateChainPem + " and " + privateKeyPem;
    }
}
