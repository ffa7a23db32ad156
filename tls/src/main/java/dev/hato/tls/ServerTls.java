package dev.hato.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hato's TLS identities and the one server-mode Netty {@link SslContext} built on them: BC JSSE backed by the BC JCA
 * provider, TLS 1.3 and 1.2 only. The context stays the same for the life of the server; what it serves can change:
 * {@link #reload()} and {@link #poll()} read the configured PEM files again and swap in what changed and is valid,
 * so new handshakes get the new certificate while established connections keep theirs. Several certificates are
 * chosen by the name the client asks for (SNI, {@link SniKeyManager}); the default one serves every other client.
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

    private final SniKeyManager keyManager;
    private final SslContext sslContext;
    private final String hostName;
    // Null when serving the generated self-signed certificate, which has no operator's files to reload.
    private final @Nullable CertificateSlot fallback;
    private final @Nullable String selfSignedDescription;
    private final List<CertificateSlot> named;

    private ServerTls(String hostName, @Nullable CertificateSlot fallback, Identity fallbackIdentity,
                      @Nullable String selfSignedDescription, List<CertificateSlot> named) {
        this.hostName = hostName;
        this.fallback = fallback;
        this.selfSignedDescription = selfSignedDescription;
        this.named = List.copyOf(named);
        this.keyManager = new SniKeyManager(new Identities(fallbackIdentity,
                named.stream().map(CertificateSlot::identity).toList()));
        this.sslContext = sslContext(keyManager, fallbackIdentity);
    }

    /**
     * Loads the operator's PEM files, or obtains the self-signed certificate, loads the named certificates, and
     * builds the {@link SslContext}.
     *
     * @throws TlsException with a one-line message when files are missing, unreadable, encrypted or do not match
     */
    public static ServerTls load(TlsSettings settings) {
        List<CertificateSlot> named = new ArrayList<>();
        for (CertificateFiles files : settings.namedCertificates()) {
            CertificateSlot slot = CertificateSlot.load(files);
            warnIfExpired(slot.identity());
            named.add(slot);
        }
        if (settings.usesPemFiles()) {
            CertificateSlot slot = CertificateSlot.load(new CertificateFiles(settings.certificateChainPem(),
                    settings.privateKeyPem()));
            warnIfUnfit(slot.identity(), settings.hostName());
            return new ServerTls(settings.hostName(), slot, slot.identity(), null, named);
        }
        CertifiedKey key = SelfSignedCertificates.obtain(settings.hostName(), settings.selfSignedKeyType(),
                settings.directory(), Instant.now());
        String description = "self-signed " + KeyAlgorithms.describe(key.leaf().getPublicKey()) + " for "
                + settings.hostName() + " (SHA-256 fingerprint " + fingerprint(key.leaf()) + ") in "
                + settings.directory();
        return new ServerTls(settings.hostName(), null, Identity.of(key, "self-signed in " + settings.directory()),
                description, named);
    }

    /** A server-mode context: {@code sslContext().newHandler(channel.alloc())} goes first in a TLS pipeline. */
    public SslContext sslContext() {
        return sslContext;
    }

    /** The default certificate's leaf as served now: the one for clients that name no other certificate. */
    public X509Certificate certificate() {
        return keyManager.identities().fallback().leaf();
    }

    /**
     * The leaf a client asking for {@code serverName} gets now (SNI; {@code null}: a client that sends no name), as
     * {@link SniKeyManager} picks it in a handshake.
     */
    public X509Certificate certificate(@Nullable String serverName) {
        return keyManager.identities().select(serverName).leaf();
    }

    /** True when the default certificate is the generated one, which clients must be told to trust explicitly. */
    public boolean selfSigned() {
        return fallback == null;
    }

    /**
     * One line for the start-up banner and the status page: the default certificate (what is served, for which
     * names, and its SHA-256 fingerprint), then how many named certificates there are and their names.
     */
    public String describe() {
        Identities now = keyManager.identities();
        String first = selfSignedDescription != null ? selfSignedDescription : now.fallback().describe();
        if (now.named().isEmpty()) {
            return first;
        }
        return first + "; by name (SNI): " + now.named().stream()
                .map(identity -> String.join(", ", identity.names())).collect(Collectors.joining("; "));
    }

    /**
     * Reads every configured certificate's files now and serves what changed and is valid; an invalid pair is
     * refused at once (logged, and reported) and the certificate loaded before stays. What {@code hato tls reload}
     * runs: after a renewal, when the files are complete.
     */
    public synchronized ReloadReport reload() {
        return check(true, true);
    }

    /**
     * The watcher's check ({@link CertificateWatcher}): like {@link #reload()}, but new files that are not a valid
     * pair are refused only when the next check finds them the same, since a renewal may be caught half done (the
     * chain replaced, the key not yet). Returns only the certificates whose state changed.
     */
    public synchronized ReloadReport poll() {
        return check(false, false);
    }

    private ReloadReport check(boolean now, boolean everyLine) {
        List<ReloadReport.Line> lines = new ArrayList<>();
        Identities served = keyManager.identities();
        if (fallback == null) {
            if (everyLine) {
                lines.add(new ReloadReport.Line(ReloadReport.Status.SELF_SIGNED, "default",
                        selfSignedDescription + " (hato.tls.certificate is not set: nothing to reload)"));
            }
        } else {
            CertificateSlot.Check check = fallback.check(now);
            if (check.result() == CertificateSlot.Result.LOADED) {
                warnIfUnfit(check.identity(), hostName);
                served = served.withFallback(check.identity());
            }
            report(check, "default", everyLine, lines);
        }
        for (int i = 0; i < named.size(); i++) {
            CertificateSlot.Check check = named.get(i).check(now);
            if (check.result() == CertificateSlot.Result.LOADED) {
                warnIfExpired(check.identity());
                served = served.withNamed(i, check.identity());
            }
            report(check, "named " + i, everyLine, lines);
        }
        keyManager.replace(served);
        return new ReloadReport(lines);
    }

    private static void report(CertificateSlot.Check check, String role, boolean everyLine,
                               List<ReloadReport.Line> lines) {
        String served = check.identity().describe();
        switch (check.result()) {
            case LOADED -> {
                LOG.info("TLS {} certificate reloaded: {}", role, served);
                lines.add(new ReloadReport.Line(ReloadReport.Status.LOADED, role, served));
            }
            case REFUSED -> {
                LOG.warn("TLS {} certificate: new files refused, still serving the one loaded before: {}; serving {}",
                        role, check.problem(), served);
                lines.add(new ReloadReport.Line(ReloadReport.Status.REFUSED, role,
                        check.problem() + "; still serving " + served));
            }
            case WAITING -> LOG.debug("TLS {} certificate: {} changed but is not a valid pair yet ({}); checking again",
                    role, check.files(), check.problem());
            case UNCHANGED -> {
                if (everyLine) {
                    lines.add(new ReloadReport.Line(ReloadReport.Status.UNCHANGED, role, served));
                }
            }
        }
    }

    @Override
    public String toString() {
        return "ServerTls[" + describe() + "]";
    }

    private static SslContext sslContext(SniKeyManager keyManager, Identity fallback) {
        try {
            return SslContextBuilder.forServer(keyManager)
                    .sslProvider(SslProvider.JDK)
                    .sslContextProvider(BouncyCastle.JSSE)
                    .protocols(PROTOCOLS)
                    .ciphers(CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE)
                    .sessionCacheSize(SESSION_CACHE_SIZE)
                    .sessionTimeout(SESSION_TIMEOUT_SECONDS)
                    .build();
        } catch (IOException e) {
            throw new TlsException("cannot build the TLS context for "
                    + fallback.leaf().getSubjectX500Principal().getName() + ": " + PemMaterial.oneLine(e), e);
        }
    }

    private static void warnIfUnfit(Identity identity, String hostName) {
        List<String> names = identity.names();
        if (!names.isEmpty() && names.stream().noneMatch(name -> covers(name, hostName))) {
            LOG.warn("The default TLS certificate ({}) is for {}, not for the configured host name {}: clients will"
                    + " refuse it", identity.describe(), String.join(", ", names), hostName);
        }
        warnIfExpired(identity);
    }

    private static void warnIfExpired(Identity identity) {
        Instant notAfter = identity.leaf().getNotAfter().toInstant();
        if (notAfter.isBefore(Instant.now())) {
            LOG.warn("The TLS certificate {} expired on {}: clients will refuse it", identity.describe(), notAfter);
        }
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
