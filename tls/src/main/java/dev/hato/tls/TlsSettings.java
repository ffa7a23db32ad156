package dev.hato.tls;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Where Hato's TLS identity comes from. With both PEM paths set, the operator's certificate chain and key are used;
 * with neither, a self-signed certificate for {@code hostName} is generated once into {@code directory} and reused.
 *
 * <p>Validated in the compact constructor (every problem is a {@link TlsException}); {@code withX} methods return
 * copies. The host name is stored in lower case, since DNS names compare case-insensitively (RFC 4343).
 *
 * @param hostName the server's DNS name: the self-signed certificate's subject, and what the start-up banner names
 * @param directory where the self-signed pair lives ({@code selfsigned-cert.pem}, {@code selfsigned-key.pem})
 * @param certificateChainPem the operator's chain, leaf first, or {@code null} for a self-signed certificate
 * @param privateKeyPem the operator's unencrypted private key, or {@code null} for a self-signed certificate
 * @param selfSignedKeyType the key type of a generated certificate, or {@code null} (the default) to keep a stored
 *     self-signed certificate of either type and to generate a new one as {@link KeyType#EC}; with a type set, a
 *     stored certificate of the other type is replaced
 * @param namedCertificates further certificates, each served to clients that ask for one of its DNS names (SNI,
 *     RFC 6066 §3); the certificate above (operator's or self-signed) serves every other client
 */
public record TlsSettings(String hostName, Path directory, @Nullable Path certificateChainPem,
                          @Nullable Path privateKeyPem, @Nullable KeyType selfSignedKeyType,
                          List<CertificateFiles> namedCertificates) {

    /** Key type of a generated self-signed certificate. */
    public enum KeyType {
        /** RSA-2048: accepted by every client, including old mail clients. */
        RSA,
        /**
         * ECDSA on P-256 (secp256r1): much cheaper to sign with, so more handshakes per core (docs/benchmarks.md,
         * "TLS handshakes: Hato and Dovecot"); what a new data directory gets when no type is set.
         */
        EC;

        /** The type a new certificate gets when the setting leaves it open. */
        public static final KeyType DEFAULT_FOR_NEW = EC;
    }

    // RFC 1123 §2.1 host name: dot-separated labels of letters, digits and inner hyphens, each at most 63 octets,
    // the whole at most 253 (RFC 1035 §2.3.4 without the final dot).
    private static final Pattern HOST_NAME = Pattern.compile(
            "(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*");

    public TlsSettings {
        if (hostName == null || hostName.isBlank()) {
            throw new TlsException("TLS host name is missing: set the server's DNS name, e.g. mail.example.org");
        }
        String normalized = hostName.strip().toLowerCase(Locale.ROOT);
        if (normalized.endsWith(".")) {
            normalized = normalized.substring(0, normalized.length() - 1);
        }
        if (!HOST_NAME.matcher(normalized).matches()) {
            throw new TlsException("TLS host name '" + hostName + "' is not a DNS name (letters, digits, '-' and '.')");
        }
        hostName = normalized;
        if (directory == null) {
            throw new TlsException("TLS directory is missing: it holds the self-signed certificate");
        }
        namedCertificates = namedCertificates == null ? List.of() : List.copyOf(namedCertificates);
        if ((certificateChainPem == null) != (privateKeyPem == null)) {
            throw new TlsException(certificateChainPem == null
                    ? "TLS private key " + privateKeyPem + " is set without a certificate chain: set both or neither"
                    : "TLS certificate chain " + certificateChainPem + " is set without a private key: set both or neither");
        }
    }

    /** Settings without named (SNI) certificates. */
    public TlsSettings(String hostName, Path directory, @Nullable Path certificateChainPem,
                       @Nullable Path privateKeyPem, @Nullable KeyType selfSignedKeyType) {
        this(hostName, directory, certificateChainPem, privateKeyPem, selfSignedKeyType, List.of());
    }

    /**
     * A self-signed certificate for {@code hostName}, kept in {@code directory}: the stored one whatever its key type,
     * or a new ECDSA P-256 one.
     */
    public static TlsSettings selfSigned(String hostName, Path directory) {
        return new TlsSettings(hostName, directory, null, null, null);
    }

    /** True when the operator's PEM files are used rather than a self-signed certificate. */
    public boolean usesPemFiles() {
        return certificateChainPem != null;
    }

    public TlsSettings withHostName(String newHostName) {
        return new TlsSettings(newHostName, directory, certificateChainPem, privateKeyPem, selfSignedKeyType,
                namedCertificates);
    }

    public TlsSettings withDirectory(Path newDirectory) {
        return new TlsSettings(hostName, newDirectory, certificateChainPem, privateKeyPem, selfSignedKeyType,
                namedCertificates);
    }

    /** Both files at once, since a chain without its key (or the reverse) is not a valid setting. */
    public TlsSettings withPemFiles(Path newCertificateChainPem, Path newPrivateKeyPem) {
        return new TlsSettings(hostName, directory, newCertificateChainPem, newPrivateKeyPem, selfSignedKeyType,
                namedCertificates);
    }

    /** Back to a self-signed certificate. */
    public TlsSettings withoutPemFiles() {
        return new TlsSettings(hostName, directory, null, null, selfSignedKeyType, namedCertificates);
    }

    /** {@code null}: keep a stored certificate of either type, generate {@link KeyType#DEFAULT_FOR_NEW}. */
    public TlsSettings withSelfSignedKeyType(@Nullable KeyType newKeyType) {
        return new TlsSettings(hostName, directory, certificateChainPem, privateKeyPem, newKeyType,
                namedCertificates);
    }

    /** The certificates chosen by the name a client asks for (SNI), in the order a tie between them is settled. */
    public TlsSettings withNamedCertificates(List<CertificateFiles> newNamedCertificates) {
        return new TlsSettings(hostName, directory, certificateChainPem, privateKeyPem, selfSignedKeyType,
                newNamedCertificates);
    }
}
