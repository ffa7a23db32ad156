package dev.hato.tls;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import org.bouncycastle.jsse.BCX509ExtendedKeyManager;

/**
 * One certificate ready to serve: the key pair, the names it is served for, and BC JSSE's own key manager over it,
 * built once when the files are loaded so that a handshake only picks among ready objects (no file IO, no parsing).
 * Immutable; a reload makes a new one.
 */
final class Identity {

    private static final AtomicLong NEXT_ID = new AtomicLong();

    // The key store lives only in memory, between here and the key manager: a password would protect nothing.
    private static final char[] NO_PASSWORD = new char[0];
    private static final String ALIAS = "hato";

    private final String id;
    private final CertifiedKey key;
    private final List<String> names;
    private final BCX509ExtendedKeyManager keyManager;
    private final String origin;

    private Identity(CertifiedKey key, BCX509ExtendedKeyManager keyManager, String origin) {
        this.id = "i" + NEXT_ID.incrementAndGet();
        this.key = key;
        this.names = SelfSignedCertificates.dnsNames(key.leaf());
        this.keyManager = keyManager;
        this.origin = origin;
    }

    /** {@code origin}: where it came from, for the logs ("/etc/hato/mail.pem", "self-signed in /var/lib/hato/tls"). */
    static Identity of(CertifiedKey key, String origin) {
        return new Identity(key, keyManager(key), origin);
    }

    /** Unique among all identities this JVM ever built: the prefix of the aliases the SNI key manager hands out. */
    String id() {
        return id;
    }

    X509Certificate leaf() {
        return key.leaf();
    }

    List<X509Certificate> chain() {
        return key.chain();
    }

    /** The leaf's subjectAltName DNS names, lower case, wildcards as written ({@code *.example.org}). */
    List<String> names() {
        return names;
    }

    BCX509ExtendedKeyManager keyManager() {
        return keyManager;
    }

    /**
     * One line: key type, names, issuer, validity and fingerprint, and where the files are; what the banner, the
     * reload log line and {@code hato tls reload} print.
     */
    String describe() {
        X509Certificate leaf = key.leaf();
        String subject = names.isEmpty() ? leaf.getSubjectX500Principal().getName() : String.join(", ", names);
        Instant notAfter = leaf.getNotAfter().toInstant().truncatedTo(ChronoUnit.SECONDS);
        return KeyAlgorithms.describe(leaf.getPublicKey()) + " certificate for " + subject + " from " + origin
                + " (" + key.chain().size() + (key.chain().size() == 1 ? " certificate" : " certificates")
                + ", subject " + leaf.getSubjectX500Principal().getName() + ", issued by " + leaf.getIssuerX500Principal().getName() + ", valid until "
                + notAfter.atOffset(ZoneOffset.UTC) + ", SHA-256 fingerprint " + ServerTls.fingerprint(leaf) + ")";
    }

    /*
     * The key manager must come from BC JSSE itself. This is what made ECDSA certificates fail with alert 40
     * (handshake_failure) in the spike: Netty's forServer(key, chain) builds its key manager with
     * KeyManagerFactory.getDefaultAlgorithm(), SunJSSE's SunX509. BC JSSE asks a key manager for BC's own key types:
     * "EC/secp256r1" (TLS 1.3: key type plus the named group of ecdsa_secp256r1_sha256) and "ECDHE_ECDSA" (TLS 1.2:
     * the key exchange). SunJSSE's key managers (SunX509 and PKIX alike) only know "EC", return no alias, and BC
     * aborts the handshake for want of credentials. RSA kept working only because its key type is "RSA" in both
     * providers. The key store comes from the BC provider because it hands back the very key object it was given, a
     * BC key that BC JSSE signs with directly; the JDK's PKCS12 store re-decodes it into a SunEC/SunRsaSign key.
     */
    private static BCX509ExtendedKeyManager keyManager(CertifiedKey key) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12", BouncyCastle.JCA);
            store.load(null, null);
            store.setKeyEntry(ALIAS, key.privateKey(), NO_PASSWORD, key.chain().toArray(X509Certificate[]::new));
            KeyManagerFactory factory = KeyManagerFactory.getInstance("PKIX", BouncyCastle.JSSE);
            factory.init(store, NO_PASSWORD);
            for (KeyManager manager : factory.getKeyManagers()) {
                if (manager instanceof BCX509ExtendedKeyManager bc) {
                    return bc;
                }
            }
            throw new TlsException("BC JSSE's PKIX key manager factory made no BC key manager");
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsException("cannot build the TLS key manager for "
                    + key.leaf().getSubjectX500Principal().getName() + ": " + PemMaterial.oneLine(e), e);
        }
    }
}
