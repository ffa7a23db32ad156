package dev.hato.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hato.tls.TestCertificates.Issued;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The operator's own PEM files: every key format, chains, and every way they can be wrong. */
class ServerTlsPemTest {

    private static Issued authority;
    private static Issued rsaServer;
    private static Issued ecServer;

    @TempDir
    Path directory;

    @BeforeAll
    static void issueCertificates() throws Exception {
        authority = TestCertificates.authority("Hato Test Root", TestCertificates.rsaKeys());
        rsaServer = TestCertificates.server("mail.example", TestCertificates.rsaKeys(), authority);
        ecServer = TestCertificates.server("mail.example", TestCertificates.ecKeys(), authority);
    }

    @Test
    void rsaPkcs8KeyShouldCompleteTls13Handshake() throws Exception {
        Path chain = certificates(rsaServer);
        Path key = directory.resolve("key.pem");
        TestCertificates.writePkcs8(key, rsaServer.privateKey());

        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertHandshakes(ServerTls.load(settings(chain, key)), rsaServer);
    }

    @Test
    void rsaPkcs1KeyShouldCompleteTls13Handshake() throws Exception {
        Path chain = certificates(rsaServer);
        Path key = directory.resolve("key.pem");
        TestCertificates.writeTraditional(key, rsaServer.privateKey());

        assertThat(Files.readString(key)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertHandshakes(ServerTls.load(settings(chain, key)), rsaServer);
    }

    @Test
    void ecSec1KeyShouldCompleteTls13Handshake() throws Exception {
        Path chain = certificates(ecServer);
        Path key = directory.resolve("key.pem");
        TestCertificates.writeSec1(key, ecServer.keys(), true, false);

        assertThat(Files.readString(key)).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertHandshakes(ServerTls.load(settings(chain, key)), ecServer);
    }

    @Test
    void ecSec1KeyWithoutItsOptionalPublicKeyShouldCompleteTls13Handshake() throws Exception {
        Path chain = certificates(ecServer);
        Path key = directory.resolve("key.pem");
        TestCertificates.writeSec1(key, ecServer.keys(), false, false);

        assertHandshakes(ServerTls.load(settings(chain, key)), ecServer);
    }

    @Test
    void ecSec1KeyAfterEcParametersBlockShouldCompleteTls13Handshake() throws Exception {
        Path chain = certificates(ecServer);
        Path key = directory.resolve("key.pem");
        TestCertificates.writeSec1(key, ecServer.keys(), true, true);

        assertThat(Files.readString(key)).startsWith("-----BEGIN EC PARAMETERS-----")
                .contains("-----BEGIN EC PRIVATE KEY-----");
        assertHandshakes(ServerTls.load(settings(chain, key)), ecServer);
    }

    @Test
    void ecPkcs8KeyShouldCompleteTls13Handshake() throws Exception {
        Path chain = certificates(ecServer);
        Path key = directory.resolve("key.pem");
        TestCertificates.writePkcs8(key, ecServer.privateKey());

        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertHandshakes(ServerTls.load(settings(chain, key)), ecServer);
    }

    @Test
    void chainFileWithTwoCertificatesShouldBeSentToClientsThatTrustOnlyTheRoot() throws Exception {
        Path chain = directory.resolve("chain.pem");
        TestCertificates.writeCertificates(chain, ecServer.certificate(), authority.certificate());
        Path key = directory.resolve("key.pem");
        TestCertificates.writePkcs8(key, ecServer.privateKey());
        ServerTls tls = ServerTls.load(settings(chain, key));

        try (EchoServer server = EchoServer.start(tls.sslContext())) {
            JdkTlsClient.Result result = JdkTlsClient.trusting(authority.certificate()).exchange(server.port());

            assertThat(result.protocol()).isEqualTo("TLSv1.3");
            assertThat(result.peerChain()).containsExactly(ecServer.certificate(), authority.certificate());
            assertThat(result.echoed()).isEqualTo(JdkTlsClient.PAYLOAD);
        }
        assertThat(tls.certificate()).isEqualTo(ecServer.certificate());
        assertThat(tls.describe()).contains("2 certificates");
    }

    @Test
    void pemCertificateShouldBeDescribedForTheBannerAndNotAsSelfSigned() throws Exception {
        Path chain = certificates(rsaServer);
        Path key = directory.resolve("key.pem");
        TestCertificates.writePkcs8(key, rsaServer.privateKey());

        ServerTls tls = ServerTls.load(settings(chain, key));

        assertThat(tls.selfSigned()).isFalse();
        assertThat(tls.describe())
                .startsWith("RSA-2048 certificate for mail.example, localhost from " + chain
                        + " (1 certificate, subject CN=mail.example, issued by ")
                .contains("Hato Test Root", "valid until ")
                .containsPattern("SHA-256 fingerprint ([0-9A-F]{2}:){31}[0-9A-F]{2}\\)$")
                .doesNotContain("\n");
        assertThat(Files.list(directory)).as("nothing self-signed written")
                .noneMatch(file -> file.getFileName().toString().startsWith("selfsigned"));
    }

    @Test
    void keyOfAnotherCertificateShouldBeRefusedWithClearMessage() throws Exception {
        Path chain = certificates(rsaServer);
        Path key = directory.resolve("key.pem");
        TestCertificates.writePkcs8(key, TestCertificates.rsaKeys().getPrivate());

        assertThatThrownBy(() -> ServerTls.load(settings(chain, key)))
                .isInstanceOf(TlsException.class)
                .hasMessage("private key " + key + " (RSA) does not match the certificate in " + chain
                        + " (RSA-2048 for CN=mail.example)");
    }

    @Test
    void ecKeyForRsaCertificateShouldBeRefusedWithClearMessage() throws Exception {
        Path chain = certificates(rsaServer);
        Path key = directory.resolve("key.pem");
        TestCertificates.writePkcs8(key, ecServer.privateKey());

        assertThatThrownBy(() -> ServerTls.load(settings(chain, key)))
                .isInstanceOf(TlsException.class)
                .hasMessageContaining("does not match the certificate in " + chain);
    }

    @Test
    void chainWithTheLeafNotFirstShouldBeRefusedWithClearMessage() throws Exception {
        Path chain = directory.resolve("chain.pem");
        TestCertificates.writeCertificates(chain, authority.certificate(), rsaServer.certificate());
        Path key = directory.resolve("key.pem");
        TestCertificates.writePkcs8(key, rsaServer.privateKey());

        assertThatThrownBy(() -> ServerTls.load(settings(chain, key)))
                .isInstanceOf(TlsException.class)
                .hasMessageContaining("belongs to certificate 2 in " + chain)
                .hasMessageContaining("list the server's certificate first");
    }

    @Test
    void chainWithAnUnrelatedSecondCertificateShouldBeRefused() throws Exception {
        Issued otherRoot = TestCertificates.authority("Someone Else", TestCertificates.ecKeys());
        Path chain = directory.resolve("chain.pem");
        TestCertificates.writeCertificates(chain, rsaServer.certificate(), otherRoot.certificate());
        Path key = directory.resolve("key.pem");
        TestCertificates.writePkcs8(key, rsaServer.privateKey());

        assertThatThrownBy(() -> ServerTls.load(settings(chain, key)))
                .isInstanceOf(TlsException.class)
                .hasMessageContaining("certificate 2 in " + chain)
                .hasMessageContaining("did not issue certificate 1");
    }

    @Test
    void missingCertificateFileShouldBeRefusedWithClearMessage() throws Exception {
        Path key = directory.resolve("key.pem");
        TestCertificates.writePkcs8(key, rsaServer.privateKey());
        Path chain = directory.resolve("absent.pem");

        assertThatThrownBy(() -> ServerTls.load(settings(chain, key)))
                .isInstanceOf(TlsException.class)
                .hasMessage("certificate chain file " + chain + " does not exist");
    }

    @Test
    void missingKeyFileShouldBeRefusedWithClearMessage() throws Exception {
        Path chain = certificates(rsaServer);
        Path key = directory.resolve("absent-key.pem");

        assertThatThrownBy(() -> ServerTls.load(settings(chain, key)))
                .isInstanceOf(TlsException.class)
                .hasMessage("private key file " + key + " does not exist");
    }

    @Test
    void encryptedPkcs8KeyShouldBeRefusedAsUnsupported() throws Exception {
        Path chain = certificates(rsaServer);
        Path key = directory.resolve("key.pem");
        TestCertificates.writeEncryptedPkcs8(key, rsaServer.privateKey());

        assertThat(Files.readString(key)).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        assertThatThrownBy(() -> ServerTls.load(settings(chain, key)))
                .isInstanceOf(TlsException.class)
                .hasMessageStartingWith("private key " + key + " is encrypted; encrypted keys are not supported");
    }

    @Test
    void encryptedTraditionalKeyShouldBeRefusedAsUnsupported() throws Exception {
        Path chain = certificates(rsaServer);
        Path key = directory.resolve("key.pem");
        TestCertificates.writeEncryptedTraditional(key, rsaServer.privateKey());

        assertThat(Files.readString(key)).contains("Proc-Type: 4,ENCRYPTED");
        assertThatThrownBy(() -> ServerTls.load(settings(chain, key)))
                .isInstanceOf(TlsException.class)
                .hasMessageStartingWith("private key " + key + " is encrypted; encrypted keys are not supported");
    }

    @Test
    void keyFileWithoutKeyShouldBeRefusedWithClearMessage() throws Exception {
        Path chain = certificates(rsaServer);

        assertThatThrownBy(() -> ServerTls.load(settings(chain, chain)))
                .isInstanceOf(TlsException.class)
                .hasMessage("private key " + chain + " holds no PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block");
    }

    @Test
    void certificateFileWithoutCertificateShouldBeRefusedWithClearMessage() throws Exception {
        Path key = directory.resolve("key.pem");
        TestCertificates.writePkcs8(key, rsaServer.privateKey());

        assertThatThrownBy(() -> ServerTls.load(settings(key, key)))
                .isInstanceOf(TlsException.class)
                .hasMessage("certificate chain " + key + " holds no CERTIFICATE block");
    }

    @Test
    void corruptPemShouldBeRefusedWithOneLineMessage() throws Exception {
        Path chain = directory.resolve("chain.pem");
        Files.writeString(chain, "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n",
                StandardCharsets.US_ASCII);
        Path key = directory.resolve("key.pem");
        TestCertificates.writePkcs8(key, rsaServer.privateKey());

        assertThatThrownBy(() -> ServerTls.load(settings(chain, key)))
                .isInstanceOf(TlsException.class)
                .hasMessageStartingWith("cannot read certificate chain " + chain + ": ")
                .hasMessageNotContaining("\n");
    }

    @Test
    void combinedFileWithCertificateAndKeyShouldServeAsBoth() throws Exception {
        Path combined = directory.resolve("combined.pem");
        TestCertificates.writePkcs8(combined, ecServer.privateKey());
        Path certificate = certificates(ecServer);
        Files.writeString(combined, Files.readString(certificate), StandardCharsets.US_ASCII,
                StandardOpenOption.APPEND);

        assertHandshakes(ServerTls.load(settings(combined, combined)), ecServer);
    }

    @Test
    void onlyOneOfTheTwoPemFilesShouldBeRefusedWithClearMessage() {
        Path chain = directory.resolve("chain.pem");
        Path key = directory.resolve("key.pem");

        assertThatThrownBy(() -> new TlsSettings("mail.example", directory, chain, null, TlsSettings.KeyType.RSA))
                .isInstanceOf(TlsException.class)
                .hasMessage("TLS certificate chain " + chain + " is set without a private key: set both or neither");
        assertThatThrownBy(() -> new TlsSettings("mail.example", directory, null, key, TlsSettings.KeyType.RSA))
                .isInstanceOf(TlsException.class)
                .hasMessage("TLS private key " + key + " is set without a certificate chain: set both or neither");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "openssl ecparam -name prime256v1 -genkey -out key.pem",
            "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem",
            "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out key.pem",
            "openssl genrsa -traditional -out key.pem 2048",
            "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem"})
    void keysWrittenByOpensslShouldCompleteHandshakes(String generateKey) throws Exception {
        assumeTrue(run("openssl version"), "openssl is not on PATH");
        assertThat(run(generateKey)).as(generateKey).isTrue();
        assertThat(run("openssl req -new -x509 -key key.pem -subj /CN=mail.example -days 2 -out cert.pem"
                + " -addext subjectAltName=DNS:mail.example,DNS:localhost")).isTrue();
        Path chain = directory.resolve("cert.pem");
        ServerTls tls = ServerTls.load(settings(chain, directory.resolve("key.pem")));

        try (EchoServer server = EchoServer.start(tls.sslContext())) {
            JdkTlsClient client = JdkTlsClient.trusting(PemMaterial.readCertificates(chain).get(0));

            assertThat(client.exchange(server.port()).protocol()).isEqualTo("TLSv1.3");
            assertThat(client.exchange(server.port(), "TLSv1.2").protocol()).isEqualTo("TLSv1.2");
        }
    }

    /** Runs a command in the test directory; false when it cannot start or fails. */
    private boolean run(String command) throws InterruptedException {
        try {
            Process process = new ProcessBuilder(command.split(" ")).directory(directory.toFile())
                    .redirectErrorStream(true).start();
            process.getOutputStream().close();
            process.getInputStream().readAllBytes();
            return process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private TlsSettings settings(Path chain, Path key) {
        return TlsSettings.selfSigned("mail.example", directory).withPemFiles(chain, key);
    }

    private Path certificates(Issued issued) throws Exception {
        Path chain = directory.resolve("cert.pem");
        TestCertificates.writeCertificates(chain, issued.certificate());
        return chain;
    }

    private static void assertHandshakes(ServerTls tls, Issued expected) throws Exception {
        assertThat(tls.certificate()).isEqualTo(expected.certificate());
        assertThat(tls.selfSigned()).isFalse();
        try (EchoServer server = EchoServer.start(tls.sslContext())) {
            JdkTlsClient client = JdkTlsClient.trusting(authority.certificate());

            JdkTlsClient.Result tls13 = client.exchange(server.port());
            assertThat(tls13.protocol()).isEqualTo("TLSv1.3");
            assertThat(tls13.peerChain().get(0)).isEqualTo(expected.certificate());
            assertThat(tls13.echoed()).isEqualTo(JdkTlsClient.PAYLOAD);

            JdkTlsClient.Result tls12 = client.exchange(server.port(), "TLSv1.2");
            assertThat(tls12.protocol()).isEqualTo("TLSv1.2");
            assertThat(tls12.echoed()).isEqualTo(JdkTlsClient.PAYLOAD);
        }
    }
}
