package dev.hato.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hato's TLS identity and the server-mode Netty {@link SslContext} built on it: BC JSSE backed by the BC JCA
 * provider, TLS 1.3 and 1.2 only. Immutable; {@link #load} again to pick up a renewed certificate.
 */
public final class ServerTls {

    /** RFC 8996 deprecates TLS 1.0 and 1.1; RFC 9325 §3.1.1 asks for 1.2 and 1.3. */
    static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /**
     * All three TLS 1.3 suites (RFC 8446 §9.1), then the forward-secret AEAD suites RFC 9325 §4.2 recommends for
     * TLS 1.2, for ECDSA and RSA certificates alike (Mozilla's "intermediate" list). No CBC, no static-RSA key
     * exchange; a suite the provider lacks is dropped by the filter rather than failing the build.
     */
    static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384");

    /*
     * A resumed handshake skips the server's signature and the certificate exchange, most of the cost of a full
     * one, and a login storm is mostly clients reconnecting. BC JSSE resumes TLS 1.2 sessions by session ID from this cache (on by default,
     * property org.bouncycastle.jsse.server.enableSessionResumption). BC's TLS 1.3 server (1.84) sends no
     * NewSessionTicket, so TLS 1.3 clients always do a full handshake; nothing here can turn that on.
     */
    static final long SESSION_CACHE_SIZE = 20_000;
    static final long SESSION_TIMEOUT_SECONDS = 24 * 60 * 60;

    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);

    // The key store lives only in memory, between here and the key manager: a password would protect nothing.
    private static final char[] NO_PASSWORD = new char[0];
    private static final String ALIAS = "hato";

    private final SslContext sslContext;
    private final List<X509Certificate> chain;
    private final boolean selfSigned;
    private final String description;

    private ServerTls(SslContext sslContext, List<X509Certificate> chain, boolean selfSigned, String description) {
        this.sslContext = sslContext;
        this.chain = chain;
        this.selfSigned = selfSigned;
        this.description = description;
    }

    /**
     * Loads the operator's PEM files, or obtains the self-signed certificate, and builds the {@link SslContext}.
     *
     * @throws TlsException with a one-line message when files are missing, unreadable, encrypted or do not match
     */
    public static ServerTls load(TlsSettings settings) {
        Path chainPem = settings.certificateChainPem();
        Path keyPem = settings.privateKeyPem();
        CertifiedKey key;
        String description;
        if (chainPem != null && keyPem != null) {
            key = PemMaterial.read(chainPem, keyPem);
            description = describeOperatorCertificate(key, chainPem, settings.hostName());
        } else {
            key = SelfSignedCertificates.obtain(settings.hostName(), settings.selfSignedKeyType(),
                    settings.directory(), Instant.now());
            description = "self-signed " + KeyAlgorithms.describe(key.leaf().getPublicKey()) + " for "
                    + settings.hostName() + " (SHA-256 fingerprint " + fingerprint(key.leaf()) + ") in "
                    + settings.directory();
        }
        return new ServerTls(sslContext(key), key.chain(), !settings.usesPemFiles(), description);
    }

    /** A server-mode context: {@code sslContext().newHandler(channel.alloc())} goes first in a TLS pipeline. */
    public SslContext sslContext() {
        return sslContext;
    }

    /** The leaf certificate, the one that names this server. */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** True when serving the generated certificate, which clients must be told to trust explicitly. */
    public boolean selfSigned() {
        return selfSigned;
    }

    /** One line for the start-up banner: what is served, for which name, and its SHA-256 fingerprint. */
    public String describe() {
        return description;
    }

    @Override
    public String toString() {
        return "ServerTls[" + description + "]";
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
    private static SslContext sslContext(CertifiedKey key) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12", BouncyCastle.JCA);
            store.load(null, null);
            store.setKeyEntry(ALIAS, key.privateKey(), NO_PASSWORD, key.chain().toArray(X509Certificate[]::new));
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance("PKIX", BouncyCastle.JSSE);
            keyManagers.init(store, NO_PASSWORD);
            return SslContextBuilder.forServer(keyManagers)
                    .sslProvider(SslProvider.JDK)
                    .sslContextProvider(BouncyCastle.JSSE)
                    .protocols(PROTOCOLS)
                    .ciphers(CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE)
                    .sessionCacheSize(SESSION_CACHE_SIZE)
                    .sessionTimeout(SESSION_TIMEOUT_SECONDS)
                    .build();
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsException("cannot build the TLS context for "
                    + key.leaf().getSubjectX500Principal().getName() + ": " + PemMaterial.oneLine(e), e);
        }
    }

    private static String describeOperatorCertificate(CertifiedKey key, Path chainPem, String hostName) {
        X509Certificate leaf = key.leaf();
        List<String> names = SelfSignedCertificates.dnsNames(leaf);
        if (!names.isEmpty() && names.stream().noneMatch(name -> covers(name, hostName))) {
            LOG.warn("The certificate in {} is for {}, not for the configured host name {}: clients will refuse it",
                    chainPem, String.join(", ", names), hostName);
        }
        Instant notAfter = leaf.getNotAfter().toInstant();
        if (notAfter.isBefore(Instant.now())) {
            LOG.warn("The certificate in {} expired on {}: clients will refuse it", chainPem, notAfter);
        }
        String subject = names.isEmpty() ? leaf.getSubjectX500Principal().getName() : names.get(0);
        return KeyAlgorithms.describe(leaf.getPublicKey()) + " certificate for " + subject + " from " + chainPem
                + " (" + key.chain().size() + (key.chain().size() == 1 ? " certificate" : " certificates")
                + ", issued by " + leaf.getIssuerX500Principal().getName() + ", valid until "
                + notAfter.atOffset(ZoneOffset.UTC).toLocalDate() + ", SHA-256 fingerprint " + fingerprint(leaf) + ")";
    }

    // RFC 6125 §6.4.3: a wildcard stands for exactly one whole left-most label.
    private static boolean covers(String certificateName, String hostName) {
        if (certificateName.startsWith("*.")) {
            int dot = hostName.indexOf('.');
            return dot > 0 && hostName.substring(dot).equals(certificateName.substring(1));
        }
        return certificateName.equals(hostName);
    }

    /** Colon-separated upper-case hex, as browsers and {@code openssl x509 -fingerprint -sha256} print it. */
    static String fingerprint(X509Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new TlsException("cannot fingerprint certificate " + certificate.getSubjectX500Principal()
                    .getName() + ": " + PemMaterial.oneLine(e), e);
        }
    }
}
