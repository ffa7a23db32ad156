package dev.hato.tls;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads and writes the PEM files (RFC 7468) that hold Hato's certificates and keys, through BouncyCastle's
 * {@link PEMParser}, so that every key ends up as a BC key object: BC JSSE then signs handshakes with the BC JCA
 * provider directly instead of translating a JDK key on every signature.
 */
final class PemMaterial {

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> WORLD_READABLE = PosixFilePermissions.fromString("rw-r--r--");

    private PemMaterial() {
    }

    /** The operator's chain and key, checked to belong together. */
    static CertifiedKey read(Path certificateChainPem, Path privateKeyPem) {
        return checked(readCertificates(certificateChainPem), certificateChainPem, readPrivateKey(privateKeyPem),
                privateKeyPem);
    }

    /**
     * The chain and key from file contents read earlier (the reloader hashes and parses the very same bytes, so a
     * file replaced in between cannot be loaded under the other version's digest), checked to belong together.
     */
    static CertifiedKey parse(Path certificateChainPem, byte[] chainPem, Path privateKeyPem, byte[] keyPem) {
        return checked(certificates(certificateChainPem, reader(chainPem)), certificateChainPem,
                privateKey(privateKeyPem, reader(keyPem)), privateKeyPem);
    }

    private static CertifiedKey checked(List<X509Certificate> chain, Path certificateChainPem, PrivateKey key,
                                        Path privateKeyPem) {
        X509Certificate leaf = chain.get(0);
        if (!KeyAlgorithms.belongTogether(key, leaf.getPublicKey())) {
            for (int i = 1; i < chain.size(); i++) {
                if (KeyAlgorithms.belongTogether(key, chain.get(i).getPublicKey())) {
                    throw new TlsException("private key " + privateKeyPem + " belongs to certificate " + (i + 1)
                            + " in " + certificateChainPem + ", not the first: list the server's certificate first,"
                            + " then its issuers");
                }
            }
            throw new TlsException("private key " + privateKeyPem + " (" + key.getAlgorithm()
                    + ") does not match the certificate in " + certificateChainPem + " ("
                    + KeyAlgorithms.describe(leaf.getPublicKey()) + " for " + leaf.getSubjectX500Principal().getName()
                    + ")");
        }
        // RFC 8446 §4.4.2: each certificate should certify the one immediately preceding it. Clients that do not
        // reorder fail on a shuffled file, and only later, on their side: refuse it at start-up instead.
        for (int i = 1; i < chain.size(); i++) {
            if (!chain.get(i).getSubjectX500Principal().equals(chain.get(i - 1).getIssuerX500Principal())) {
                throw new TlsException("certificate " + (i + 1) + " in " + certificateChainPem + " ("
                        + chain.get(i).getSubjectX500Principal().getName() + ") did not issue certificate " + i
                        + " (issued by " + chain.get(i - 1).getIssuerX500Principal().getName()
                        + "): list the server's certificate first, then each issuer in order");
            }
        }
        return new CertifiedKey(key, chain);
    }

    /** Every CERTIFICATE block of the file, in file order; other blocks (a key in a combined file) are skipped. */
    static List<X509Certificate> readCertificates(Path file) {
        return certificates(file, open(file, "certificate chain"));
    }

    /** Every CERTIFICATE block of {@code pem} (text from {@code origin}, named in errors), in order. */
    static List<X509Certificate> parseCertificates(String origin, byte[] pem) {
        return certificates(origin, reader(pem));
    }

    private static List<X509Certificate> certificates(Path file, BufferedReader text) {
        return certificates(file.toString(), text);
    }

    private static List<X509Certificate> certificates(String file, BufferedReader text) {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter().setProvider(BouncyCastle.JCA);
        try (PEMParser parser = new PEMParser(text)) {
            for (Object block = parser.readObject(); block != null; block = parser.readObject()) {
                if (block instanceof X509CertificateHolder holder) {
                    certificates.add(converter.getCertificate(holder));
                }
            }
        } catch (TlsException e) {
            throw e;
        } catch (IOException | CertificateException | RuntimeException e) {
            // BC reports broken Base64 or ASN.1 with unchecked exceptions (DecoderException, IllegalArgumentException).
            throw new TlsException("cannot read certificate chain " + file + ": " + oneLine(e), e);
        }
        if (certificates.isEmpty()) {
            throw new TlsException("certificate chain " + file + " holds no CERTIFICATE block");
        }
        return certificates;
    }

    /**
     * The one private key of the file: PKCS#8 "PRIVATE KEY" (RFC 5208), PKCS#1 "RSA PRIVATE KEY" (RFC 8017) or SEC1
     * "EC PRIVATE KEY" (RFC 5915), the latter possibly after an "EC PARAMETERS" block as {@code openssl ecparam
     * -genkey} writes it. Encrypted keys are refused: a server that starts unattended has nowhere to get a passphrase
     * from, and a passphrase kept next to the key protects nothing.
     */
    static PrivateKey readPrivateKey(Path file) {
        return privateKey(file, open(file, "private key"));
    }

    private static PrivateKey privateKey(Path file, BufferedReader text) {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter().setProvider(BouncyCastle.JCA);
        PrivateKey key = null;
        try (PEMParser parser = new PEMParser(text)) {
            for (Object block = parser.readObject(); block != null; block = parser.readObject()) {
                PrivateKey found;
                if (block instanceof PrivateKeyInfo info) {
                    found = converter.getPrivateKey(info);
                } else if (block instanceof PEMKeyPair pair) {
                    // Only the private half: RFC 5915 §3 makes the public key of an EC PRIVATE KEY optional, and
                    // JcaPEMKeyConverter.getKeyPair fails with a NullPointerException on a key written without it.
                    found = converter.getPrivateKey(pair.getPrivateKeyInfo());
                } else if (block instanceof PKCS8EncryptedPrivateKeyInfo || block instanceof PEMEncryptedKeyPair) {
                    throw new TlsException("private key " + file + " is encrypted; encrypted keys are not supported:"
                            + " decrypt it (openssl pkey -in KEY -out PLAIN-KEY) and protect the file with mode 0600");
                } else if (block instanceof ASN1ObjectIdentifier || block instanceof X9ECParameters
                        || block instanceof X509CertificateHolder) {
                    continue;
                } else {
                    throw new TlsException("private key " + file + " holds an unexpected " + blockName(block)
                            + "; expected PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY");
                }
                if (key != null) {
                    throw new TlsException("private key " + file + " holds more than one private key; keep only the"
                            + " server's");
                }
                key = found;
            }
        } catch (TlsException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // BC reports broken Base64 or ASN.1 with unchecked exceptions (DecoderException, IllegalArgumentException).
            throw new TlsException("cannot read private key " + file + ": " + oneLine(e), e);
        }
        if (key == null) {
            throw new TlsException("private key " + file + " holds no PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY"
                    + " block");
        }
        if (KeyAlgorithms.proofAlgorithm(key.getAlgorithm()) == null) {
            throw new TlsException("private key " + file + " is " + key.getAlgorithm() + ", which TLS servers cannot"
                    + " sign with; use an RSA or EC key");
        }
        return key;
    }

    /** Writes the chain, readable by everyone (a certificate is public), replacing the file atomically. */
    static void writeCertificates(List<X509Certificate> chain, Path file) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            for (X509Certificate certificate : chain) {
                writer.writeObject(certificate);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        replace(file, text.toString(), WORLD_READABLE);
    }

    /**
     * Writes the key as unencrypted PKCS#8, readable by its owner only (mode 0600 from the moment the file exists,
     * not chmod-ed afterwards), replacing the file atomically.
     */
    static void writePrivateKey(PrivateKey key, Path file) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(new JcaPKCS8Generator(key, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        replace(file, text.toString(), OWNER_ONLY);
    }

    // ISO-8859-1 never fails to decode: a stray byte in a comment line must not make a PEM file unreadable.
    private static BufferedReader open(Path file, String role) {
        try {
            return Files.newBufferedReader(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new TlsException(role + " file " + file + " does not exist", e);
        } catch (AccessDeniedException e) {
            throw new TlsException(role + " file " + file + " is not readable by this user", e);
        } catch (IOException e) {
            throw new TlsException("cannot open " + role + " file " + file + ": " + oneLine(e), e);
        }
    }

    private static BufferedReader reader(byte[] pem) {
        return new BufferedReader(new StringReader(new String(pem, StandardCharsets.ISO_8859_1)));
    }

    // Write beside the target and rename over it, so a crash or a concurrent start never leaves half a PEM file.
    private static void replace(Path file, String content, Set<PosixFilePermission> permissions) {
        Path directory = file.toAbsolutePath().getParent();
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        try {
            Path temporary = posix
                    ? Files.createTempFile(directory, file.getFileName() + ".", ".tmp",
                            PosixFilePermissions.asFileAttribute(OWNER_ONLY))
                    : Files.createTempFile(directory, file.getFileName() + ".", ".tmp");
            try {
                Files.writeString(temporary, content, StandardCharsets.US_ASCII);
                if (posix) {
                    Files.setPosixFilePermissions(temporary, permissions);
                }
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temporary);
            }
        } catch (IOException e) {
            throw new TlsException("cannot write " + file + ": " + oneLine(e), e);
        }
    }

    private static String blockName(Object block) {
        return block.getClass().getSimpleName();
    }

    static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.replaceAll("\\s+", " ").strip();
    }
}
