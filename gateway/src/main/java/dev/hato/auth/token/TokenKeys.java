package dev.hato.auth.token;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/** Loads the key that signs access tokens: a PEM public key or certificate (RSA, EC), or an HMAC secret. */
public final class TokenKeys {

    private TokenKeys() { }

    public static Key publicKey(Path pem) {
        try (Reader reader = Files.newBufferedReader(pem, StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            Object object = parser.readObject();
            SubjectPublicKeyInfo info;
            if (object instanceof SubjectPublicKeyInfo publicKey) {
                info = publicKey;
            } else if (object instanceof X509CertificateHolder certificate) {
                info = certificate.getSubjectPublicKeyInfo();
            } else {
                throw new IllegalArgumentException(pem + " holds no PUBLIC KEY or CERTIFICATE block");
            }
            return new JcaPEMKeyConverter().getPublicKey(info);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read token key " + pem + ": " + e.getMessage(), e);
        }
    }

    /** RFC 7518 §3.2: an HS256 key must have at least 256 bits. */
    public static Key hmacSecret(String secret) {
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < 32) {
            throw new IllegalArgumentException("the HMAC token secret must be at least 32 bytes");
        }
        return new SecretKeySpec(bytes, "HmacSHA256");
    }
}
