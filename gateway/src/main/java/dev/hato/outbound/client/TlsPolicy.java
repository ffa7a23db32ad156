package dev.hato.outbound.client;

/**
 * How a connection to a destination uses TLS, as Postfix's {@code smtp_tls_security_level} names them.
 */
public enum TlsPolicy {
    /** Never STARTTLS. */
    NONE,
    /** Opportunistic (RFC 3207 used when offered, RFC 7435): STARTTLS when offered, any certificate accepted. */
    MAY,
    /** TLS required, certificate not checked: protects against passive eavesdroppers only. */
    ENCRYPT,
    /** TLS required with a trusted certificate chain that names the server host (RFC 6125). */
    VERIFY,
    /**
     * STARTTLS when offered, and then a trusted certificate chain that names the server host (RFC 6125), with no
     * fallback to plain text when that fails; plain text with a server that does not offer STARTTLS. How Hato talks
     * to a legacy system's MTA (issue 17), trusting the certificates the operator gave for it; not a setting.
     */
    OFFERED_VERIFY;

    public boolean required() {
        return this == ENCRYPT || this == VERIFY;
    }

    /** Whether the certificate is checked when TLS is used. */
    public boolean verifies() {
        return this == VERIFY || this == OFFERED_VERIFY;
    }
}
