package dev.hato.dkim;

import dev.hato.store.keys.DkimKey;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Locale;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/** The two signing algorithms Hato offers (RFC 8301 retired rsa-sha1), each with its key type and DNS k= value. */
public enum DkimAlgorithm {

    /** RFC 6376 §3.3.1: RSASSA-PKCS1-v1_5 with SHA-256 over the header hash input. */
    RSA_SHA256(DkimKey.RSA_SHA256, "rsa", "RSA", "SHA256withRSA"),

    /**
     * RFC 8463 §3: PureEdDSA Ed25519 over the SHA-256 hash of the header hash input (the hash is signed, not the
     * data: the verifier computes the same 32 bytes as for RSA).
     */
    ED25519_SHA256(DkimKey.ED25519_SHA256, "ed25519", "Ed25519", "Ed25519");

    /** Not registered globally: Hato's TLS and the JDK keep their own provider order. */
    static final Provider BC = new BouncyCastleProvider();

    private final String tag;
    private final String keyType;
    private final String jcaKey;
    private final String jcaSignature;

    DkimAlgorithm(String tag, String keyType, String jcaKey, String jcaSignature) {
        this.tag = tag;
        this.keyType = keyType;
        this.jcaKey = jcaKey;
        this.jcaSignature = jcaSignature;
    }

    /** The a= value, as stored with a key. */
    public String tag() {
        return tag;
    }

    /** The k= value of the DNS record (RFC 6376 §3.6.1, RFC 8463 §4). */
    public String keyType() {
        return keyType;
    }

    /** By a= value ({@code rsa-sha256}) or key type ({@code rsa}, {@code ed25519}), ignoring case. */
    public static DkimAlgorithm of(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (DkimAlgorithm algorithm : values()) {
            if (algorithm.tag.equals(lower) || algorithm.keyType.equals(lower)) {
                return algorithm;
            }
        }
        throw new IllegalArgumentException("unknown DKIM algorithm " + name + " (rsa or ed25519)");
    }

    /**
     * The b= value's bytes for the header hash input (RFC 6376 §3.7). {@code random} only blinds RSA; pass one
     * seeded in advance, so that signing never reads the operating system's entropy source on the calling thread.
     */
    byte[] sign(PrivateKey key, byte[] headerHashInput, SecureRandom random) {
        try {
            Signature signature = Signature.getInstance(jcaSignature, BC);
            signature.initSign(key, random);
            signature.update(this == ED25519_SHA256 ? sha256(headerHashInput) : headerHashInput);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(tag + " signing failed: " + e.getMessage(), e);
        }
    }

    /** The private key of a PKCS#8 DER encoding. */
    PrivateKey privateKey(byte[] pkcs8) throws GeneralSecurityException {
        return KeyFactory.getInstance(jcaKey, BC).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    }

    /** A fresh key pair; {@code bits} applies to RSA only. */
    KeyPair generate(int bits, SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(jcaKey, BC);
            if (this == RSA_SHA256) {
                generator.initialize(bits, random);
            } else {
                generator.initialize(255, random);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("generating a " + keyType + " key failed: " + e.getMessage(), e);
        }
    }

    /**
     * The p= bytes: the DER SubjectPublicKeyInfo for RSA (RFC 6376 §3.6.1), the raw 32-byte key for Ed25519
     * (RFC 8463 §4: "the base64 encoding of the public key", not of its ASN.1 wrapper).
     */
    byte[] publicKeyData(PublicKey key) {
        byte[] spki = key.getEncoded();
        return this == RSA_SHA256 ? spki : SubjectPublicKeyInfo.getInstance(spki).getPublicKeyData().getBytes();
    }

    static byte[] sha256(byte[] data) {
        return sha256().digest(data);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }
}
