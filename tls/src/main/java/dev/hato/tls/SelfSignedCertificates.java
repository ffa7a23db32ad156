package dev.hato.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificate Hato serves until the operator provides a real one: generated on first start, kept in the data
 * directory, and reused on later starts, so that clients which were told to trust it keep trusting it.
 */
final class SelfSignedCertificates {

    static final String CERTIFICATE_FILE = "selfsigned-cert.pem";
    static final String KEY_FILE = "selfsigned-key.pem";

    /** About ten years: a self-signed certificate is trusted by pinning, so expiry only forces clients to re-pin. */
    static final Duration VALIDITY = Duration.ofDays(3652);

    /** Back-dated so that a client whose clock runs a little slow does not see a certificate from the future. */
    static final Duration CLOCK_SKEW = Duration.ofHours(1);

    private static final Logger LOG = LoggerFactory.getLogger(SelfSignedCertificates.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private SelfSignedCertificates() {
    }

    /**
     * The stored pair for {@code hostName} if it is still good, otherwise a new one, stored for next time. With
     * {@code type} null a stored pair of either key type is good, and a new one is {@link
     * TlsSettings.KeyType#DEFAULT_FOR_NEW}: data directories made before EC became the default keep the RSA
     * certificate their clients were told to trust.
     */
    static CertifiedKey obtain(String hostName, TlsSettings.@Nullable KeyType type, Path directory, Instant now) {
        Path certificateFile = directory.resolve(CERTIFICATE_FILE);
        Path keyFile = directory.resolve(KEY_FILE);
        if (Files.exists(certificateFile) || Files.exists(keyFile)) {
            String flaw;
            CertifiedKey stored = null;
            try {
                stored = PemMaterial.read(certificateFile, keyFile);
                flaw = flaw(stored, hostName, type, now);
            } catch (TlsException e) {
                flaw = "it is unreadable (" + e.getMessage() + ")";
            }
            if (flaw == null && stored != null) {
                return stored;
            }
            LOG.warn("Replacing the self-signed certificate in {}: {}", directory, flaw);
        }
        TlsSettings.KeyType newType = type == null ? TlsSettings.KeyType.DEFAULT_FOR_NEW : type;
        CertifiedKey fresh = generate(hostName, newType, now.minus(CLOCK_SKEW), now.plus(VALIDITY));
        store(fresh, directory);
        LOG.info("Generated a self-signed {} certificate for {} in {}", describe(newType), hostName, directory);
        return fresh;
    }

    /** Why a stored pair must not be served any more, or {@code null} when it is fine. */
    static @Nullable String flaw(CertifiedKey stored, String hostName, TlsSettings.@Nullable KeyType type,
                                 Instant now) {
        X509Certificate certificate = stored.leaf();
        List<String> names = dnsNames(certificate);
        if (!names.contains(hostName)) {
            return "it is for " + String.join(", ", names) + ", not " + hostName;
        }
        if (type != null && !KeyAlgorithms.sameFamily(certificate.getPublicKey().getAlgorithm(), type.name())) {
            return "it is " + KeyAlgorithms.describe(certificate.getPublicKey()) + ", not " + describe(type);
        }
        try {
            certificate.checkValidity(Date.from(now));
        } catch (CertificateExpiredException e) {
            return "it expired on " + certificate.getNotAfter().toInstant();
        } catch (CertificateNotYetValidException e) {
            return "it is not valid before " + certificate.getNotBefore().toInstant();
        }
        return null;
    }

    /**
     * A new key pair and a certificate for {@code hostName} signed by it. The key is generated by the BC provider
     * so BC JSSE signs with it without conversion; the EC key is on the named curve secp256r1 and its certificate
     * names the curve by OID, as RFC 5480 §2.1.1 requires and as TLS 1.3 needs to match the certificate to the
     * ecdsa_secp256r1_sha256 signature scheme (RFC 8446 §4.2.3).
     */
    static CertifiedKey generate(String hostName, TlsSettings.KeyType type, Instant notBefore, Instant notAfter) {
        try {
            KeyPair pair = newKeyPair(type);
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, hostName).build();
            // RFC 5280 §4.1.2.2: a positive serial of at most 20 octets; random, so that re-generated certificates
            // never share a serial (clients cache certificates by issuer and serial).
            BigInteger serial = new BigInteger(127, RANDOM).add(BigInteger.ONE);
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial, Date.from(notBefore),
                    Date.from(notAfter), subject, pair.getPublic());
            // RFC 6125 §6.4.4: clients match the DNS names in subjectAltName and ignore the CN when a SAN is present;
            // localhost and 127.0.0.1 let a first local test verify the certificate without editing the hosts file.
            List<GeneralName> names = new ArrayList<>();
            names.add(new GeneralName(GeneralName.dNSName, hostName));
            if (!hostName.equals("localhost")) {
                names.add(new GeneralName(GeneralName.dNSName, "localhost"));
            }
            names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(names.toArray(GeneralName[]::new)));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            // RFC 8446 §4.4.2.2: with a key usage extension, digitalSignature must be set, and an ECDSA key does
            // nothing else. RSA server certificates conventionally add keyEncipherment (RFC 5246 §7.4.2) for
            // clients that check for it, although Hato offers no RSA key-exchange suite.
            int usage = type == TlsSettings.KeyType.RSA
                    ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment
                    : KeyUsage.digitalSignature;
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createSubjectKeyIdentifier(pair.getPublic()));
            String signatureAlgorithm = type == TlsSettings.KeyType.RSA ? "SHA256withRSA" : "SHA256withECDSA";
            X509Certificate certificate = new JcaX509CertificateConverter().setProvider(BouncyCastle.JCA)
                    .getCertificate(builder.build(new JcaContentSignerBuilder(signatureAlgorithm)
                            .setProvider(BouncyCastle.JCA).build(pair.getPrivate())));
            return new CertifiedKey(pair.getPrivate(), List.of(certificate));
        } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
            throw new TlsException("cannot generate a self-signed " + describe(type) + " certificate: "
                    + PemMaterial.oneLine(e), e);
        }
    }

    static String describe(TlsSettings.KeyType type) {
        return type == TlsSettings.KeyType.RSA ? "RSA-2048" : "ECDSA P-256";
    }

    private static KeyPair newKeyPair(TlsSettings.KeyType type) throws GeneralSecurityException {
        KeyPairGenerator generator;
        if (type == TlsSettings.KeyType.RSA) {
            generator = KeyPairGenerator.getInstance("RSA", BouncyCastle.JCA);
            generator.initialize(2048, RANDOM);
        } else {
            generator = KeyPairGenerator.getInstance("EC", BouncyCastle.JCA);
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        }
        return generator.generateKeyPair();
    }

    private static void store(CertifiedKey pair, Path directory) {
        try {
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.createDirectories(directory,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(directory);
            }
        } catch (IOException e) {
            throw new TlsException("cannot create TLS directory " + directory + ": " + PemMaterial.oneLine(e), e);
        }
        // The key first: a start that dies in between leaves a new key beside the old certificate, which the next
        // start sees as a mismatch and replaces, never a certificate whose key is gone.
        PemMaterial.writePrivateKey(pair.privateKey(), directory.resolve(KEY_FILE));
        PemMaterial.writeCertificates(pair.chain(), directory.resolve(CERTIFICATE_FILE));
    }

    static List<String> dnsNames(X509Certificate certificate) {
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            if (names == null) {
                return List.of();
            }
            return names.stream()
                    .filter(name -> name.size() == 2 && Integer.valueOf(GeneralName.dNSName).equals(name.get(0)))
                    .map(name -> String.valueOf(name.get(1)).toLowerCase(Locale.ROOT))
                    .toList();
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }
}
