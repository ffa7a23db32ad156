package dev.hato.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hato.tls.ReloadReport.Status;
import dev.hato.tls.TestCertificates.Issued;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificates replaced on disk while a real Netty TLS server runs: new handshakes get the new certificate, a
 * connection opened before keeps working, invalid files are refused and the old certificate stays; several
 * certificates chosen by the name the client asks for (SNI), by the JDK's client and by {@code openssl s_client}.
 */
class ServerTlsReloadTest {

    @TempDir
    Path directory;

    private Issued authority;

    @BeforeEach
    void authority() throws Exception {
        authority = TestCertificates.authority("Hato Test Root", TestCertificates.ecKeys());
    }

    @Test
    void theClientsServerNameShouldChooseTheCertificateAndAnyOtherNameTheDefault() throws Exception {
        Issued mail = issue("mail.example.ac.jp");
        Issued smtp = issue("smtp.example.ac.jp");
        Issued dept = issue("*.dept.example.ac.jp");
        CertificateFiles mailFiles = write("mail", mail);
        ServerTls tls = ServerTls.load(TlsSettings.selfSigned("mail.example.ac.jp", directory)
                .withPemFiles(mailFiles.certificateChainPem(), mailFiles.privateKeyPem())
                .withNamedCertificates(List.of(write("smtp", smtp), write("dept", dept))));

        try (EchoServer server = EchoServer.start(tls.sslContext())) {
            assertThat(served(server, "smtp.example.ac.jp")).isEqualTo(smtp.certificate());
            assertThat(served(server, "SMTP.Example.AC.JP")).isEqualTo(smtp.certificate());
            assertThat(served(server, "mail.example.ac.jp")).isEqualTo(mail.certificate());
            assertThat(served(server, "imap.dept.example.ac.jp")).isEqualTo(dept.certificate());
            try (SniClient client = SniClient.connect(server.port(), "smtp.example.ac.jp", authority.certificate(),
                    "TLSv1.2")) {
                assertThat(client.serverCertificate()).as("TLS 1.2 too").isEqualTo(smtp.certificate());
            }
            // A wildcard covers one label only (RFC 6125 §6.4.3); unknown names and no name get the default.
            assertThat(unverified(server, "a.b.dept.example.ac.jp")).isEqualTo(mail.certificate());
            assertThat(unverified(server, "dept.example.ac.jp")).isEqualTo(mail.certificate());
            assertThat(unverified(server, "other.example.org")).isEqualTo(mail.certificate());
            assertThat(unverified(server, null)).isEqualTo(mail.certificate());
        }
        assertThat(tls.certificate("smtp.example.ac.jp")).isEqualTo(smtp.certificate());
        assertThat(tls.describe()).contains("by name (SNI): smtp.example.ac.jp; *.dept.example.ac.jp");
    }

    @Test
    void aNamedCertificateTheClientCannotUseShouldGiveWayToTheDefault() throws Exception {
        Issued mail = TestCertificates.server(TestCertificates.rsaKeys(), authority, "mail.example.ac.jp");
        Issued smtp = issue("smtp.example.ac.jp");
        CertificateFiles mailFiles = write("mail", mail);
        ServerTls tls = ServerTls.load(settings(mailFiles).withNamedCertificates(List.of(write("smtp", smtp))));

        try (EchoServer server = EchoServer.start(tls.sslContext())) {
            assertThat(served(server, "smtp.example.ac.jp")).isEqualTo(smtp.certificate());
            // An RSA-only TLS 1.2 client: the named ECDSA certificate cannot serve it, the default RSA one can.
            try (SniClient client = SniClient.connectTls12(server.port(), "smtp.example.ac.jp",
                    authority.certificate(), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")) {
                assertThat(client.serverCertificate()).isEqualTo(mail.certificate());
                assertThat(client.exchange("A001 NOOP\r\n")).isEqualTo("A001 NOOP\r\n");
            }
        }
    }

    @Test
    void namedCertificatesShouldWorkBesideTheSelfSignedDefault() throws Exception {
        Issued smtp = issue("smtp.example.ac.jp");
        ServerTls tls = ServerTls.load(TlsSettings.selfSigned("mail.example.ac.jp", directory.resolve("tls"))
                .withNamedCertificates(List.of(write("smtp", smtp))));

        assertThat(tls.selfSigned()).isTrue();
        try (EchoServer server = EchoServer.start(tls.sslContext())) {
            assertThat(served(server, "smtp.example.ac.jp")).isEqualTo(smtp.certificate());
            try (SniClient client = SniClient.connectUnverified(server.port(), "other.example.org",
                    tls.certificate())) {
                assertThat(client.serverCertificate()).isEqualTo(tls.certificate());
            }
        }
        Issued renewed = issue("smtp.example.ac.jp");
        replace(new CertificateFiles(directory.resolve("smtp-chain.pem"), directory.resolve("smtp-key.pem")),
                renewed);
        assertThat(tls.reload().lines()).extracting(ReloadReport.Line::status)
                .containsExactly(Status.SELF_SIGNED, Status.LOADED);
        assertThat(tls.certificate("smtp.example.ac.jp")).isEqualTo(renewed.certificate());
    }

    @Test
    void opensslShouldSeeTheCertificateOfTheNameItAsksFor() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is installed");
        Issued mail = issue("mail.example.ac.jp");
        Issued smtp = issue("smtp.example.ac.jp");
        CertificateFiles mailFiles = write("mail", mail);
        ServerTls tls = ServerTls.load(TlsSettings.selfSigned("mail.example.ac.jp", directory)
                .withPemFiles(mailFiles.certificateChainPem(), mailFiles.privateKeyPem())
                .withNamedCertificates(List.of(write("smtp", smtp))));

        try (EchoServer server = EchoServer.start(tls.sslContext())) {
            assertThat(opensslSubject(server.port(), "smtp.example.ac.jp")).contains("CN=smtp.example.ac.jp")
                    .doesNotContain("mail.example.ac.jp");
            assertThat(opensslSubject(server.port(), "mail.example.ac.jp")).contains("CN=mail.example.ac.jp");
            assertThat(opensslSubject(server.port(), "unknown.example.org")).contains("CN=mail.example.ac.jp");
        }
    }

    @Test
    void replacedFilesShouldServeNewHandshakesWhileAnOpenConnectionKeepsWorking() throws Exception {
        Issued first = issue("mail.example.ac.jp");
        Issued renewed = issue("mail.example.ac.jp");
        CertificateFiles files = write("mail", first);
        ServerTls tls = ServerTls.load(settings(files));

        try (EchoServer server = EchoServer.start(tls.sslContext());
             SniClient before = SniClient.connect(server.port(), "mail.example.ac.jp", authority.certificate())) {
            assertThat(before.serverCertificate()).isEqualTo(first.certificate());

            replace(files, renewed);
            ReloadReport report = tls.reload();

            assertThat(report.lines()).singleElement().satisfies(line -> {
                assertThat(line.status()).isEqualTo(Status.LOADED);
                assertThat(line.role()).isEqualTo("default");
                assertThat(line.text()).contains("certificate for mail.example.ac.jp", "valid until",
                        ServerTls.fingerprint(renewed.certificate()));
            });
            assertThat(report.refused()).isFalse();
            assertThat(served(server, "mail.example.ac.jp")).isEqualTo(renewed.certificate());
            assertThat(before.exchange("A002 NOOP\r\n")).as("the connection opened before the swap")
                    .isEqualTo("A002 NOOP\r\n");
            assertThat(tls.reload().lines()).extracting(ReloadReport.Line::status).containsExactly(Status.UNCHANGED);
        }
    }

    @Test
    void anInvalidReplacementShouldBeRefusedAndTheOldCertificateKept() throws Exception {
        Issued first = issue("mail.example.ac.jp");
        CertificateFiles files = write("mail", first);
        ServerTls tls = ServerTls.load(settings(files));
        // A renewal half done: the new chain is there, its key is not (the old key stays).
        Issued renewed = issue("mail.example.ac.jp");
        TestCertificates.writeCertificates(files.certificateChainPem(), renewed.certificate());

        try (EchoServer server = EchoServer.start(tls.sslContext())) {
            ReloadReport report = tls.reload();

            assertThat(report.refused()).isTrue();
            assertThat(report.lines()).singleElement().satisfies(line -> {
                assertThat(line.status()).isEqualTo(Status.REFUSED);
                assertThat(line.text()).contains("does not match the certificate in " + files.certificateChainPem())
                        .contains("still serving", ServerTls.fingerprint(first.certificate()));
            });
            assertThat(served(server, "mail.example.ac.jp")).isEqualTo(first.certificate());

            TestCertificates.writePkcs8(files.privateKeyPem(), renewed.privateKey());
            assertThat(tls.reload().lines()).extracting(ReloadReport.Line::status).containsExactly(Status.LOADED);
            assertThat(served(server, "mail.example.ac.jp")).isEqualTo(renewed.certificate());
        }
    }

    @Test
    void theWatcherShouldWaitForAHalfDoneRenewalAndRefuseItOnlyWhenItStays() throws Exception {
        Issued first = issue("mail.example.ac.jp");
        CertificateFiles files = write("mail", first);
        ServerTls tls = ServerTls.load(settings(files));
        Files.writeString(files.privateKeyPem(), "-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n");

        assertThat(tls.poll().lines()).as("seen once: perhaps still being written").isEmpty();
        assertThat(tls.poll().lines()).extracting(ReloadReport.Line::status).containsExactly(Status.REFUSED);
        assertThat(tls.poll().lines()).as("refused once, not again every check").isEmpty();
        assertThat(tls.certificate()).isEqualTo(first.certificate());

        Issued renewed = issue("mail.example.ac.jp");
        replace(files, renewed);
        assertThat(tls.poll().lines()).extracting(ReloadReport.Line::status).containsExactly(Status.LOADED);
        assertThat(tls.certificate()).isEqualTo(renewed.certificate());
    }

    @Test
    void aSymbolicLinkSwitchedAsCertbotDoesShouldBeSeen() throws Exception {
        Path archive = Files.createDirectories(directory.resolve("archive"));
        Path live = Files.createDirectories(directory.resolve("live"));
        Issued first = issue("mail.example.ac.jp");
        CertificateFiles one = write("archive/cert1", first);
        Path chain = Files.createSymbolicLink(live.resolve("fullchain.pem"), one.certificateChainPem());
        Path key = Files.createSymbolicLink(live.resolve("privkey.pem"), one.privateKeyPem());
        ServerTls tls = ServerTls.load(settings(new CertificateFiles(chain, key)));

        Issued renewed = issue("mail.example.ac.jp");
        CertificateFiles two = write("archive/cert2", renewed);
        switchLink(chain, two.certificateChainPem());
        switchLink(key, two.privateKeyPem());

        assertThat(archive).isDirectory();
        assertThat(tls.poll().lines()).extracting(ReloadReport.Line::status).containsExactly(Status.LOADED);
        assertThat(tls.certificate()).isEqualTo(renewed.certificate());
    }

    @Test
    void eachNamedCertificateShouldReloadOnItsOwn() throws Exception {
        Issued mail = issue("mail.example.ac.jp");
        Issued smtp = issue("smtp.example.ac.jp");
        CertificateFiles mailFiles = write("mail", mail);
        CertificateFiles smtpFiles = write("smtp", smtp);
        ServerTls tls = ServerTls.load(settings(mailFiles).withNamedCertificates(List.of(smtpFiles)));

        Issued smtpRenewed = issue("smtp.example.ac.jp");
        replace(smtpFiles, smtpRenewed);
        ReloadReport report = tls.reload();

        assertThat(report.lines()).extracting(ReloadReport.Line::role).containsExactly("default", "named 0");
        assertThat(report.lines()).extracting(ReloadReport.Line::status)
                .containsExactly(Status.UNCHANGED, Status.LOADED);
        assertThat(report.toString()).contains("named 0: loaded: ").contains("default: unchanged: ");
        try (EchoServer server = EchoServer.start(tls.sslContext())) {
            assertThat(served(server, "smtp.example.ac.jp")).isEqualTo(smtpRenewed.certificate());
            assertThat(served(server, "mail.example.ac.jp")).isEqualTo(mail.certificate());
        }
    }

    @Test
    void theWatcherThreadShouldServeReplacedFiles() throws Exception {
        Issued first = issue("mail.example.ac.jp");
        CertificateFiles files = write("mail", first);
        ServerTls tls = ServerTls.load(settings(files));
        Issued renewed = issue("mail.example.ac.jp");

        try (CertificateWatcher watcher = CertificateWatcher.start(tls, Duration.ofMillis(20))) {
            replace(files, renewed);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!tls.certificate().equals(renewed.certificate()) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }
        assertThat(tls.certificate()).isEqualTo(renewed.certificate());
    }

    @Test
    void aNamedCertificateThatCannotBeReadShouldStopStartUp() throws Exception {
        CertificateFiles mail = write("mail", issue("mail.example.ac.jp"));
        CertificateFiles missing = new CertificateFiles(directory.resolve("none.pem"), directory.resolve("none.key"));

        assertThatThrownBy(() -> ServerTls.load(settings(mail).withNamedCertificates(List.of(missing))))
                .isInstanceOf(TlsException.class).hasMessageContaining("none.pem does not exist");
    }

    @Test
    void theSelfSignedDefaultShouldBeReportedAsNothingToReload() {
        ServerTls tls = ServerTls.load(TlsSettings.selfSigned("mail.example.ac.jp", directory));

        assertThat(tls.reload().lines()).singleElement().satisfies(line -> {
            assertThat(line.status()).isEqualTo(Status.SELF_SIGNED);
            assertThat(line.text()).contains("nothing to reload");
        });
        assertThat(tls.poll().lines()).isEmpty();
    }

    private TlsSettings settings(CertificateFiles files) {
        return TlsSettings.selfSigned("mail.example.ac.jp", directory)
                .withPemFiles(files.certificateChainPem(), files.privateKeyPem());
    }

    private Issued issue(String name) throws Exception {
        return TestCertificates.server(TestCertificates.ecKeys(), authority, name);
    }

    private CertificateFiles write(String name, Issued issued) throws IOException {
        Path chain = directory.resolve(name + "-chain.pem");
        Path key = directory.resolve(name + "-key.pem");
        TestCertificates.writeCertificates(chain, issued.certificate(), authority.certificate());
        TestCertificates.writePkcs8(key, issued.privateKey());
        return new CertificateFiles(chain, key);
    }

    /** As an editor or a deploy script would: a new file beside the old one, renamed over it. */
    private void replace(CertificateFiles files, Issued issued) throws IOException {
        Path chain = directory.resolve("new-chain.tmp");
        Path key = directory.resolve("new-key.tmp");
        TestCertificates.writeCertificates(chain, issued.certificate(), authority.certificate());
        TestCertificates.writePkcs8(key, issued.privateKey());
        Files.move(key, files.privateKeyPem(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(chain, files.certificateChainPem(), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    private static void switchLink(Path link, Path target) throws IOException {
        Path fresh = link.resolveSibling(link.getFileName() + ".new");
        Files.createSymbolicLink(fresh, target);
        Files.move(fresh, link, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private X509Certificate served(EchoServer server, String name) throws Exception {
        try (SniClient client = SniClient.connect(server.port(), name, authority.certificate())) {
            assertThat(client.exchange("A001 NOOP\r\n")).isEqualTo("A001 NOOP\r\n");
            return client.serverCertificate();
        }
    }

    /** The certificate served for {@code name}, which may not name it: the client checks only the issuer. */
    private X509Certificate unverified(EchoServer server, String name) throws Exception {
        try (SniClient client = SniClient.connectUnverified(server.port(), name, authority.certificate())) {
            return client.serverCertificate();
        }
    }

    private static String opensslSubject(int port, String serverName) throws Exception {
        Process process = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-servername", serverName).redirectErrorStream(true).start();
        process.getOutputStream().close();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        process.getInputStream().transferTo(out);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String text = out.toString(StandardCharsets.UTF_8);
        return text.lines().filter(line -> line.startsWith("subject="))
                .map(line -> line.replace(" ", "")).findFirst()
                .orElseThrow(() -> new AssertionError("no subject in openssl's output:\n" + text));
    }
}
