package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The operator's certificates on a running Hato: the one asked for by name (SNI) on implicit TLS, STARTTLS, STLS
 * and HTTPS, the default for other names; {@code hato tls reload} after the files were replaced serves the new
 * certificate to new connections while a connection opened before keeps working, and refuses an invalid pair.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsReloadTest {

    private static final String MAIL = "mail.example.test";
    private static final String SMTP = "smtp.example.test";
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private Path directory;
    private Path config;
    private RunningHato hato;
    private Issued mail;
    private Issued smtp;
    // Every certificate this test makes is self-signed: the client trusts exactly these.
    private final KeyStore trusted = emptyStore();

    /** A key pair and its self-signed certificate. */
    private record Issued(KeyPair keys, X509Certificate certificate) { }

    @BeforeAll
    void start() throws Exception {
        directory = Files.createTempDirectory("hato-tls-reload-");
        mail = issue(MAIL);
        smtp = issue(SMTP);
        write(mail, directory.resolve("mail.pem"), directory.resolve("mail.key"));
        write(smtp, directory.resolve("smtp.pem"), directory.resolve("smtp.key"));
        hato = RunningHato.start(directory.resolve("data"), "--hato.outbound.enabled=false",
                "--hato.tls.certificate=" + directory.resolve("mail.pem"),
                "--hato.tls.private-key=" + directory.resolve("mail.key"),
                "--hato.tls.certificates[0].certificate=" + directory.resolve("smtp.pem"),
                "--hato.tls.certificates[0].private-key=" + directory.resolve("smtp.key"),
                // Only the command reloads here, so what it reports is what it did.
                "--hato.tls.watch-interval=0s");
        // The test server's management listener is on a free port: the command finds it in its settings file.
        config = directory.resolve("hato.properties");
        Files.writeString(config, "hato.ports.management=" + hato.managementPort() + "\n");
    }

    @AfterAll
    void stop() {
        if (hato != null) {
            hato.close();
        }
    }

    @Test
    void everyTlsListenerShouldServeTheCertificateOfTheNameTheClientAsksFor() throws Exception {
        assertThat(commonName(implicitTls(hato.port("imaps"), SMTP).certificate())).isEqualTo(SMTP);
        assertThat(commonName(implicitTls(hato.port("imaps"), MAIL).certificate())).isEqualTo(MAIL);
        assertThat(commonName(implicitTls(hato.port("submissions"), SMTP).certificate())).isEqualTo(SMTP);
        assertThat(commonName(implicitTls(hato.port("pop3s"), SMTP).certificate())).isEqualTo(SMTP);
        assertThat(commonName(implicitTls(hato.httpsPort(), SMTP).certificate())).isEqualTo(SMTP);
        assertThat(commonName(implicitTls(hato.httpsPort(), MAIL).certificate())).isEqualTo(MAIL);
        assertThat(commonName(startTls(hato.port("smtp"), "EHLO client.example\r\n", "STARTTLS\r\n", SMTP)))
                .isEqualTo(SMTP);
        assertThat(commonName(startTls(hato.port("submission"), "EHLO client.example\r\n", "STARTTLS\r\n", MAIL)))
                .isEqualTo(MAIL);
        assertThat(commonName(startTls(hato.port("imap"), "", "a STARTTLS\r\n", SMTP))).isEqualTo(SMTP);
        assertThat(commonName(startTls(hato.port("pop3"), "", "STLS\r\n", SMTP))).isEqualTo(SMTP);
    }

    @Test
    void tlsReloadShouldServeReplacedFilesToNewConnectionsAndRefuseAnInvalidPair() throws Exception {
        Connection before = implicitTls(hato.port("imaps"), MAIL);
        X509Certificate served = before.certificate();
        Issued renewed = issue(MAIL);
        Path chain = directory.resolve("mail.pem");
        Path key = directory.resolve("mail.key");
        write(renewed, directory.resolve("mail.pem.new"), directory.resolve("mail.key.new"));
        Files.move(directory.resolve("mail.key.new"), key, StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        Files.move(directory.resolve("mail.pem.new"), chain, StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        assertThat(implicitTls(hato.port("imaps"), MAIL).certificate()).as("nothing changes before the command")
                .isEqualTo(served);

        CliRun reload = CliRun.of(hato.dataDir(), "", "tls", "reload", "--config", config.toString());

        assertThat(reload.status()).as(reload.err()).isZero();
        assertThat(reload.lines()).hasSize(2);
        assertThat(reload.lines().get(0)).startsWith("default: loaded: ECDSA P-256 certificate for " + MAIL + " from "
                + chain).contains("valid until ");
        assertThat(reload.lines().get(1)).startsWith("named 0: unchanged: ECDSA P-256 certificate for " + SMTP);
        assertThat(implicitTls(hato.port("imaps"), MAIL).certificate()).isEqualTo(renewed.certificate());
        assertThat(commonName(startTls(hato.port("smtp"), "EHLO client.example\r\n", "STARTTLS\r\n", MAIL)))
                .isEqualTo(MAIL);
        assertThat(before.command("a1 NOOP\r\n")).as("the connection opened before the reload").startsWith("a1 OK");

        // A key that belongs to another certificate: refused, and the renewed certificate is still served.
        write(issue(MAIL), directory.resolve("other.pem"), key);
        CliRun refused = CliRun.of(hato.dataDir(), "", "tls", "reload", "--config", config.toString());

        assertThat(refused.status()).isEqualTo(1);
        assertThat(refused.err()).startsWith("hato: new certificate files were refused");
        assertThat(refused.lines().get(0)).startsWith("default: refused: private key " + key)
                .contains("does not match", "still serving");
        assertThat(implicitTls(hato.port("imaps"), MAIL).certificate()).isEqualTo(renewed.certificate());
        assertThat(before.command("a2 NOOP\r\n")).startsWith("a2 OK");
        before.close();
    }

    @Test
    void tlsReloadWithoutARunningServerShouldSaySoAndFail() throws Exception {
        Path other = directory.resolve("nobody.properties");
        Files.writeString(other, "hato.ports.management=" + RunningHato.freePort() + "\n");

        CliRun run = CliRun.of(directory.resolve("nobody"), "", "tls", "reload", "--config", other.toString());

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).startsWith("hato: no Hato server answers at http://127.0.0.1:")
                .contains("/tls/reload");
    }

    /** An open TLS connection and the line the server greeted it with. */
    private record Connection(SSLSocket socket, BufferedReader in) implements AutoCloseable {
        X509Certificate certificate() throws IOException {
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }

        String command(String line) throws IOException {
            socket.getOutputStream().write(line.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String reply = in.readLine();
            while (reply != null && reply.startsWith("* ")) {
                reply = in.readLine();
            }
            return reply;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private Connection implicitTls(int port, String serverName) throws Exception {
        Socket plain = connect(port);
        SSLSocket socket = tls(plain, serverName, port);
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                StandardCharsets.US_ASCII));
        return new Connection(socket, in);
    }

    /** Greeting, {@code before} (EHLO, or nothing), the STARTTLS command; then the handshake. The leaf it served. */
    private X509Certificate startTls(int port, String before, String command, String serverName) throws Exception {
        try (Socket plain = connect(port)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(plain.getInputStream(),
                    StandardCharsets.US_ASCII));
            OutputStream out = plain.getOutputStream();
            in.readLine();
            if (!before.isEmpty()) {
                out.write(before.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                for (String line = in.readLine(); line != null && line.startsWith("250-"); line = in.readLine()) {
                    // the EHLO reply's continuation lines
                }
            }
            out.write(command.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String ready = in.readLine();
            assertThat(ready).matches("(220|a OK|\\+OK).*");
            try (SSLSocket socket = tls(plain, serverName, port)) {
                return (X509Certificate) socket.getSession().getPeerCertificates()[0];
            }
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        plain.setSoTimeout(10_000);
        return plain;
    }

    /** The JDK's client asking for {@code serverName} and checking that the certificate names it. */
    private SSLSocket tls(Socket plain, String serverName, int port) throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, serverName, port, true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(serverName)));
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    private Issued issue(String name) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();
        X500Name subject = new X500Name("CN=" + name);
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(Instant.now().minus(Duration.ofDays(1))),
                Date.from(Instant.now().plus(Duration.ofDays(90))), subject, keys.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(new GeneralName(GeneralName.dNSName, name)));
        X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        trusted.setCertificateEntry("c" + certificate.getSerialNumber(), certificate);
        return new Issued(keys, certificate);
    }

    private static void write(Issued issued, Path chain, Path key) throws IOException {
        try (Writer out = Files.newBufferedWriter(chain, StandardCharsets.US_ASCII);
             JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(issued.certificate());
        }
        try (Writer out = Files.newBufferedWriter(key, StandardCharsets.US_ASCII);
             JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(new JcaPKCS8Generator(issued.keys().getPrivate(), null));
        }
    }

    private static String commonName(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName().replaceFirst("^CN=", "");
    }

    private static KeyStore emptyStore() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            return store;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
