package dev.hato.store.keys;

import java.net.IDN;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A DKIM signing key of one domain (RFC 6376): published in DNS at {@code <selector>._domainkey.<domain>}.
 *
 * @param domain     the signing domain (the d= tag), stored lower-case
 * @param selector   the s= tag, a DNS name of one or more labels (RFC 6376 §3.1), stored lower-case
 * @param algorithm  the a= tag: {@code rsa-sha256} or {@code ed25519-sha256}
 * @param privateKey the PKCS#8 private key in PEM
 * @param publicKey  the p= value of the DNS record: base64 of the SubjectPublicKeyInfo for RSA (RFC 6376 §3.6.1),
 *                   of the raw 32-byte key for Ed25519 (RFC 8463 §4)
 * @param created    when the key was generated; kept to the microsecond, as PostgreSQL stores it
 * @param active     whether the signer uses it; at most one active key per domain and algorithm
 */
public record DkimKey(String domain, String selector, String algorithm, String privateKey, String publicKey,
                      Instant created, boolean active) {

    public static final String RSA_SHA256 = "rsa-sha256";
    public static final String ED25519_SHA256 = "ed25519-sha256";

    // RFC 6376 §3.1 (selector = sub-domain) and RFC 5321 §4.1.2 (Domain): letter-digit-hyphen labels, after
    // U-labels are converted to A-labels (xn--).
    private static final Pattern DNS_NAME =
            Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    public DkimKey {
        domain = dnsName(domain, "domain");
        selector = dnsName(selector, "selector");
        Objects.requireNonNull(algorithm, "algorithm");
        if (!algorithm.equals(RSA_SHA256) && !algorithm.equals(ED25519_SHA256)) {
            throw new IllegalArgumentException("DKIM algorithm must be rsa-sha256 or ed25519-sha256, not " + algorithm);
        }
        Objects.requireNonNull(privateKey, "privateKey");
        if (!privateKey.contains("-----BEGIN PRIVATE KEY-----")) {
            throw new IllegalArgumentException("the private key must be PKCS#8 PEM (BEGIN PRIVATE KEY)");
        }
        Objects.requireNonNull(publicKey, "publicKey");
        if (publicKey.isEmpty() || !publicKey.matches("[A-Za-z0-9+/]+={0,2}")) {
            throw new IllegalArgumentException("the public key must be the base64 p= value of the DNS record");
        }
        created = Objects.requireNonNull(created, "created").truncatedTo(ChronoUnit.MICROS);
    }

    /** The DNS name the public key is published at, without the trailing dot. */
    public String recordName() {
        return selector + "._domainkey." + domain;
    }

    /** A copy with {@code active} changed. */
    public DkimKey withActive(boolean isActive) {
        return new DkimKey(domain, selector, algorithm, privateKey, publicKey, created, isActive);
    }

    /**
     * {@code name} as stored: in A-labels, lower-case, without a trailing dot; IllegalArgumentException names the
     * {@code role} when it is not a DNS name.
     */
    public static String dnsName(String name, String role) {
        Objects.requireNonNull(name, role);
        String lower;
        try {
            // DNS holds A-labels: bücher.example is published and signed as xn--bcher-kva.example (RFC 5890).
            lower = IDN.toASCII(name, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed DKIM " + role + ": " + name);
        }
        if (lower.endsWith(".")) {
            lower = lower.substring(0, lower.length() - 1);
        }
        if (lower.length() > 253 || !DNS_NAME.matcher(lower).matches()) {
            throw new IllegalArgumentException("malformed DKIM " + role + ": " + name);
        }
        return lower;
    }
}
