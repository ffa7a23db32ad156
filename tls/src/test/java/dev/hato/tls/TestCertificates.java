package dev.hato.tls;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.ASN1BitString;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Keys and certificates as an operator would bring them, made with the JDK's default providers (not with the code
 * under test) and written in each PEM flavour Hato must read.
 */
final class TestCertificates {

    private static final AtomicLong SERIAL = new AtomicLong(1000);

    /** A key pair and a certificate for it. */
    record Issued(KeyPair keys, X509Certificate certificate) {
        PrivateKey privateKey() {
            return keys.getPrivate();
        }
    }

    private TestCertificates() {
    }

    static KeyPair rsaKeys() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    static KeyPair ecKeys() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    /** A CA certificate, self-signed. */
    static Issued authority(String commonName, KeyPair keys) throws Exception {
        X500Name name = new X500Name("CN=" + commonName + ",O=Hato Test CA");
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, nextSerial(),
                Date.from(Instant.now().minus(Duration.ofDays(1))), Date.from(Instant.now().plus(Duration.ofDays(30))),
                name, keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        return new Issued(keys, sign(builder, keys.getPrivate()));
    }

    /** A server certificate for "localhost" and {@code hostName}, issued by {@code issuer}. */
    static Issued server(String hostName, KeyPair keys, Issued issuer) throws Exception {
        return server(keys, issuer, hostName, "localhost");
    }

    /** A server certificate for exactly {@code names} (subjectAltName DNS entries, the first also as CN). */
    static Issued server(KeyPair keys, Issued issuer, String... names) throws Exception {
        X500Name issuerName = X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName, nextSerial(),
                Date.from(Instant.now().minus(Duration.ofDays(1))), Date.from(Instant.now().plus(Duration.ofDays(30))),
                new X500Name("CN=" + names[0]), keys.getPublic());
        GeneralName[] alternatives = new GeneralName[names.length];
        for (int i = 0; i < names.length; i++) {
            alternatives[i] = new GeneralName(GeneralName.dNSName, names[i]);
        }
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alternatives));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(keys.getPublic().getAlgorithm().equals("RSA")
                ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment : KeyUsage.digitalSignature));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        return new Issued(keys, sign(builder, issuer.privateKey()));
    }

    static void writeCertificates(Path file, X509Certificate... certificates) throws IOException {
        try (JcaPEMWriter writer = writer(file)) {
            for (X509Certificate certificate : certificates) {
                writer.writeObject(certificate);
            }
        }
    }

    /** "PRIVATE KEY" (PKCS#8, RFC 5208). */
    static void writePkcs8(Path file, PrivateKey key) throws IOException {
        try (JcaPEMWriter writer = writer(file)) {
            writer.writeObject(new JcaPKCS8Generator(key, null));
        }
    }

    /** "RSA PRIVATE KEY" (PKCS#1, RFC 8017 appendix A.1.2), as OpenSSL's traditional format. */
    static void writeTraditional(Path file, PrivateKey key) throws IOException {
        try (JcaPEMWriter writer = writer(file)) {
            writer.writeObject(key);
        }
    }

    /**
     * "EC PRIVATE KEY" (SEC1, RFC 5915) on P-256 naming its curve, as {@code openssl ec} writes it; optionally
     * without the public key (RFC 5915 §3 makes it optional) and optionally after an "EC PARAMETERS" block, as
     * {@code openssl ecparam -name prime256v1 -genkey} writes it.
     */
    static void writeSec1(Path file, KeyPair keys, boolean withPublicKey, boolean afterEcParameters)
            throws IOException {
        BigInteger secret = ((ECPrivateKey) keys.getPrivate()).getS();
        ASN1BitString publicKey = withPublicKey
                ? SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()).getPublicKeyData()
                : null;
        byte[] sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, secret, publicKey,
                SECObjectIdentifiers.secp256r1).getEncoded();
        try (JcaPEMWriter writer = writer(file)) {
            if (afterEcParameters) {
                writer.writeObject(new PemObject("EC PARAMETERS", SECObjectIdentifiers.secp256r1.getEncoded()));
            }
            writer.writeObject(new PemObject("EC PRIVATE KEY", sec1));
        }
    }

    /** "ENCRYPTED PRIVATE KEY" (PKCS#8 with PBES2). */
    static void writeEncryptedPkcs8(Path file, PrivateKey key) throws Exception {
        try (JcaPEMWriter writer = writer(file)) {
            writer.writeObject(new JcaPKCS8Generator(key,
                    new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
                            .setProvider(BouncyCastle.JCA).setPassword("secret".toCharArray()).build()));
        }
    }

    /** "RSA PRIVATE KEY" with "Proc-Type: 4,ENCRYPTED" headers. */
    static void writeEncryptedTraditional(Path file, PrivateKey key) throws IOException {
        try (JcaPEMWriter writer = writer(file)) {
            writer.writeObject(key, new JcePEMEncryptorBuilder("AES-128-CBC").setProvider(BouncyCastle.JCA)
                    .build("secret".toCharArray()));
        }
    }

    private static JcaPEMWriter writer(Path file) throws IOException {
        Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
        return new JcaPEMWriter(out);
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder builder, PrivateKey signer) throws Exception {
        String algorithm = signer.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder(algorithm).build(signer)));
    }

    private static BigInteger nextSerial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }
}
