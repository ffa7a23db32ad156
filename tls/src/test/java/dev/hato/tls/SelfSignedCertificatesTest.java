package dev.hato.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hato.tls.TlsSettings.KeyType;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The first-start certificate: what it contains, where it is kept, and when it is replaced. */
class SelfSignedCertificatesTest {

    @TempDir
    Path temporary;

    @Test
    void firstStartShouldCreateTheDirectoryAndAnOwnerOnlyKeyFile() throws Exception {
        Path directory = temporary.resolve("hato-data").resolve("tls");

        ServerTls tls = ServerTls.load(TlsSettings.selfSigned("mail.example", directory));

        assertThat(tls.selfSigned()).isTrue();
        Path certificateFile = directory.resolve("selfsigned-cert.pem");
        Path keyFile = directory.resolve("selfsigned-key.pem");
        assertThat(Files.readString(certificateFile)).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(Files.readString(keyFile)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(PemMaterial.readCertificates(certificateFile)).containsExactly(tls.certificate());
        try (var files = Files.list(directory)) {
            assertThat(files.map(file -> file.getFileName().toString()))
                    .as("no temporary files left behind")
                    .containsExactlyInAnyOrder("selfsigned-cert.pem", "selfsigned-key.pem");
        }
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(certificateFile)))
                .isEqualTo("rw-r--r--");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory))).isEqualTo("rwx------");
    }

    @Test
    void secondLoadShouldReuseTheStoredCertificate() throws Exception {
        TlsSettings settings = TlsSettings.selfSigned("mail.example", temporary);
        ServerTls first = ServerTls.load(settings);
        byte[] keyBytes = Files.readAllBytes(temporary.resolve("selfsigned-key.pem"));

        ServerTls second = ServerTls.load(settings);

        assertThat(second.certificate()).isEqualTo(first.certificate());
        assertThat(second.describe()).isEqualTo(first.describe());
        assertThat(Files.readAllBytes(temporary.resolve("selfsigned-key.pem"))).isEqualTo(keyBytes);
    }

    @Test
    void anotherHostNameShouldRegenerateTheCertificate() throws Exception {
        ServerTls first = ServerTls.load(TlsSettings.selfSigned("mail.example", temporary));

        ServerTls renamed = ServerTls.load(TlsSettings.selfSigned("imap.example.org", temporary));

        assertThat(renamed.certificate()).isNotEqualTo(first.certificate());
        assertThat(SelfSignedCertificates.dnsNames(renamed.certificate())).contains("imap.example.org")
                .doesNotContain("mail.example");
        assertThat(ServerTls.load(TlsSettings.selfSigned("imap.example.org", temporary)).certificate())
                .as("and the new one is reused in turn").isEqualTo(renamed.certificate());
    }

    @Test
    void expiredCertificateShouldBeRegenerated() throws Exception {
        Instant now = Instant.now();
        CertifiedKey expired = SelfSignedCertificates.generate("mail.example", KeyType.RSA,
                now.minus(Duration.ofDays(20)), now.minus(Duration.ofDays(10)));
        store(expired);

        ServerTls tls = ServerTls.load(TlsSettings.selfSigned("mail.example", temporary));

        assertThat(tls.certificate()).isNotEqualTo(expired.leaf());
        tls.certificate().checkValidity();
        assertThat(PemMaterial.readCertificates(temporary.resolve("selfsigned-cert.pem")))
                .containsExactly(tls.certificate());
    }

    @Test
    void unreadableFilesShouldBeRegenerated() throws Exception {
        Files.writeString(temporary.resolve("selfsigned-cert.pem"), "garbage\n", StandardCharsets.US_ASCII);
        Files.writeString(temporary.resolve("selfsigned-key.pem"), "-----BEGIN PRIVATE KEY-----\n!!\n",
                StandardCharsets.US_ASCII);

        ServerTls tls = ServerTls.load(TlsSettings.selfSigned("mail.example", temporary));

        assertThat(SelfSignedCertificates.dnsNames(tls.certificate())).contains("mail.example");
        assertThat(ServerTls.load(TlsSettings.selfSigned("mail.example", temporary)).certificate())
                .isEqualTo(tls.certificate());
    }

    @Test
    void keyThatDoesNotMatchTheStoredCertificateShouldBeRegenerated() throws Exception {
        Instant now = Instant.now();
        CertifiedKey one = SelfSignedCertificates.generate("mail.example", KeyType.EC, now, now.plusSeconds(3600));
        CertifiedKey other = SelfSignedCertificates.generate("mail.example", KeyType.EC, now, now.plusSeconds(3600));
        store(new CertifiedKey(other.privateKey(), one.chain()));

        ServerTls tls = ServerTls.load(TlsSettings.selfSigned("mail.example", temporary)
                .withSelfSignedKeyType(KeyType.EC));

        assertThat(tls.certificate()).isNotEqualTo(one.leaf());
    }

    @Test
    void missingCertificateBesideAStoredKeyShouldBeRegenerated() throws Exception {
        ServerTls first = ServerTls.load(TlsSettings.selfSigned("mail.example", temporary));
        Files.delete(temporary.resolve("selfsigned-cert.pem"));

        ServerTls second = ServerTls.load(TlsSettings.selfSigned("mail.example", temporary));

        assertThat(second.certificate()).isNotEqualTo(first.certificate());
        assertThat(temporary.resolve("selfsigned-cert.pem")).exists();
    }

    @Test
    void newDataDirectoryShouldGetAnEcdsaP256CertificateByDefault() throws Exception {
        ServerTls tls = ServerTls.load(TlsSettings.selfSigned("mail.example", temporary));

        assertThat(KeyAlgorithms.describe(tls.certificate().getPublicKey())).isEqualTo("ECDSA P-256");
        assertThat(SubjectPublicKeyInfo.getInstance(tls.certificate().getPublicKey().getEncoded()).getAlgorithm()
                .getParameters()).isEqualTo(SECObjectIdentifiers.secp256r1);
        assertThat(tls.describe()).startsWith("self-signed ECDSA P-256 for mail.example");
    }

    @Test
    void storedRsaCertificateShouldBeKeptWhenNoKeyTypeIsSet() throws Exception {
        ServerTls before = ServerTls.load(TlsSettings.selfSigned("mail.example", temporary)
                .withSelfSignedKeyType(KeyType.RSA));
        byte[] keyBytes = Files.readAllBytes(temporary.resolve("selfsigned-key.pem"));

        ServerTls after = ServerTls.load(TlsSettings.selfSigned("mail.example", temporary));

        assertThat(after.certificate()).isEqualTo(before.certificate());
        assertThat(KeyAlgorithms.describe(after.certificate().getPublicKey())).isEqualTo("RSA-2048");
        assertThat(Files.readAllBytes(temporary.resolve("selfsigned-key.pem"))).isEqualTo(keyBytes);
    }

    @Test
    void rsaSettingShouldReplaceTheDefaultEcdsaCertificate() throws Exception {
        ServerTls ec = ServerTls.load(TlsSettings.selfSigned("mail.example", temporary));

        ServerTls rsa = ServerTls.load(TlsSettings.selfSigned("mail.example", temporary)
                .withSelfSignedKeyType(KeyType.RSA));

        assertThat(ec.certificate().getPublicKey().getAlgorithm()).isIn("EC", "ECDSA");
        assertThat(KeyAlgorithms.describe(rsa.certificate().getPublicKey())).isEqualTo("RSA-2048");
        assertThat(ServerTls.load(TlsSettings.selfSigned("mail.example", temporary)).certificate())
                .as("and the RSA one is then kept by the default").isEqualTo(rsa.certificate());
    }

    @Test
    void changedKeyTypeShouldRegenerateTheCertificate() throws Exception {
        ServerTls rsa = ServerTls.load(TlsSettings.selfSigned("mail.example", temporary)
                .withSelfSignedKeyType(KeyType.RSA));

        ServerTls ec = ServerTls.load(TlsSettings.selfSigned("mail.example", temporary)
                .withSelfSignedKeyType(KeyType.EC));

        assertThat(rsa.certificate().getPublicKey().getAlgorithm()).isEqualTo("RSA");
        assertThat(ec.certificate().getPublicKey().getAlgorithm()).isIn("EC", "ECDSA");
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void generatedCertificateShouldNameHostLocalhostAndLoopbackForServerAuthentication(KeyType type)
            throws Exception {
        X509Certificate certificate = ServerTls.load(TlsSettings.selfSigned("Mail.Example", temporary)
                .withSelfSignedKeyType(type)).certificate();

        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=mail.example");
        assertThat(certificate.getIssuerX500Principal()).isEqualTo(certificate.getSubjectX500Principal());
        certificate.verify(certificate.getPublicKey());
        assertThat(certificate.getSubjectAlternativeNames()).containsExactlyInAnyOrder(
                List.of(2, "mail.example"), List.of(2, "localhost"), List.of(7, "127.0.0.1"));
        assertThat(certificate.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(certificate.getBasicConstraints()).as("not a CA").isEqualTo(-1);
        boolean[] usage = certificate.getKeyUsage();
        assertThat(usage[0]).as("digitalSignature").isTrue();
        assertThat(usage[2]).as("keyEncipherment").isEqualTo(type == KeyType.RSA);
        assertThat(usage[5]).as("keyCertSign").isFalse();
        Duration validity = Duration.between(Instant.now(), certificate.getNotAfter().toInstant());
        assertThat(validity).isBetween(Duration.ofDays(3650), Duration.ofDays(3653));
        assertThat(certificate.getNotBefore().toInstant()).isBefore(Instant.now().minus(Duration.ofMinutes(59)));
        if (type == KeyType.RSA) {
            assertThat(certificate.getSigAlgName()).isEqualToIgnoringCase("SHA256withRSA");
            assertThat(KeyAlgorithms.describe(certificate.getPublicKey())).isEqualTo("RSA-2048");
        } else {
            assertThat(certificate.getSigAlgName()).isEqualToIgnoringCase("SHA256withECDSA");
            // RFC 5480 §2.1.1: the curve is named by OID, never given as explicit parameters.
            assertThat(SubjectPublicKeyInfo.getInstance(certificate.getPublicKey().getEncoded()).getAlgorithm()
                    .getParameters()).isEqualTo(SECObjectIdentifiers.secp256r1);
        }
    }

    @Test
    void localhostAsHostNameShouldNotBeListedTwice() throws Exception {
        X509Certificate certificate = ServerTls.load(TlsSettings.selfSigned("localhost", temporary)).certificate();

        assertThat(certificate.getSubjectAlternativeNames()).containsExactlyInAnyOrder(
                List.of(2, "localhost"), List.of(7, "127.0.0.1"));
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void bannerLineShouldNameKeyHostFingerprintAndDirectory(KeyType type) throws Exception {
        Path directory = temporary.resolve("hato-data/tls");
        ServerTls tls = ServerTls.load(TlsSettings.selfSigned("mail.example", directory).withSelfSignedKeyType(type));
        String fingerprint = HexFormat.ofDelimiter(":").withUpperCase()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(tls.certificate().getEncoded()));

        assertThat(tls.describe()).isEqualTo("self-signed " + (type == KeyType.RSA ? "RSA-2048" : "ECDSA P-256")
                + " for mail.example (SHA-256 fingerprint " + fingerprint + ") in " + directory);
    }

    private void store(CertifiedKey pair) {
        PemMaterial.writePrivateKey(pair.privateKey(), temporary.resolve("selfsigned-key.pem"));
        PemMaterial.writeCertificates(pair.chain(), temporary.resolve("selfsigned-cert.pem"));
    }
}
