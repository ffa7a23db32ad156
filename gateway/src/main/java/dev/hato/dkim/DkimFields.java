package dev.hato.dkim;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Checks and canonical forms of DKIM signature fields and key records, shared by the verifier's steps. */
final class DkimFields {

    /** RFC 8463 §4: the raw Ed25519 key is wrapped in this SubjectPublicKeyInfo prefix for the JCA. */
    private static final byte[] ED25519_SPKI = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    private DkimFields() {
    }

    static @Nullable Long digits(String value, int maxDigits) {
        if (value.isEmpty() || value.length() > maxDigits) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return null;
            }
        }
        BigInteger number = new BigInteger(value);
        return number.bitLength() < 63 ? number.longValue() : Long.MAX_VALUE;
    }

    static List<String> headerNames(String h) {
        List<String> names = new ArrayList<>();
        for (String name : h.split(":", 256)) {
            String trimmed = TagList.compact(name).toLowerCase(Locale.ROOT);
            if (!trimmed.isEmpty()) {
                names.add(trimmed);
            }
        }
        return names;
    }

    static boolean validDomain(@Nullable String domain) {
        if (domain == null || domain.isEmpty() || domain.length() > 253 || domain.startsWith(".")
                || domain.endsWith(".") || domain.contains("..")) {
            return false;
        }
        return domain.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                || c == '_');
    }

    static boolean validSelector(String selector) {
        return validDomain(selector.toLowerCase(Locale.ROOT));
    }

    static @Nullable String lowerOrNull(@Nullable String value) {
        return value == null ? null : value.toLowerCase(Locale.ROOT);
    }

    static String printable(String value) {
        String cut = value.length() > 30 ? value.substring(0, 30) : value;
        return cut.replaceAll("[^\\x21-\\x7e]", "?");
    }

    /** The simple header canonicalization (§3.4.1): the field unchanged, with its CRLF. */
    static byte[] simple(byte[] field) {
        byte[] out = Arrays.copyOf(field, field.length + 2);
        out[field.length] = '\r';
        out[field.length + 1] = '\n';
        return out;
    }

    /**
     * The DKIM-Signature field with the value of its b= tag deleted, surrounding whitespace included (§3.5, §3.7);
     * every other octet unchanged.
     */
    static byte[] withoutSignatureValue(byte[] field) {
        int colon = 0;
        while (colon < field.length && field[colon] != ':') {
            colon++;
        }
        int start = colon + 1;
        while (start <= field.length) {
            int end = start;
            while (end < field.length && field[end] != ';') {
                end++;
            }
            int at = start;
            while (at < end && isWhitespace(field[at])) {
                at++;
            }
            if (at < end && (field[at] == 'b' || field[at] == 'B')) {
                int afterName = at + 1;
                while (afterName < end && isWhitespace(field[afterName])) {
                    afterName++;
                }
                if (afterName < end && field[afterName] == '=') {
                    ByteArrayOutputStream out = new ByteArrayOutputStream(field.length);
                    out.write(field, 0, afterName + 1);
                    out.write(field, end, field.length - end);
                    return out.toByteArray();
                }
            }
            start = end + 1;
        }
        return field;
    }

    static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    static PublicKey publicKey(String base64, boolean ed25519) throws GeneralSecurityException {
        byte[] data = Base64.getDecoder().decode(TagList.compact(base64));
        if (ed25519) {
            if (data.length != 32) {
                throw new GeneralSecurityException("an Ed25519 key has 32 octets");
            }
            byte[] spki = Arrays.copyOf(ED25519_SPKI, ED25519_SPKI.length + 32);
            System.arraycopy(data, 0, spki, ED25519_SPKI.length, 32);
            return KeyFactory.getInstance("Ed25519", DkimAlgorithm.BC).generatePublic(new X509EncodedKeySpec(spki));
        }
        KeyFactory rsa = KeyFactory.getInstance("RSA", DkimAlgorithm.BC);
        try {
            return rsa.generatePublic(new X509EncodedKeySpec(data));
        } catch (GeneralSecurityException e) {
            // Some publish the bare PKCS#1 RSAPublicKey rather than the SubjectPublicKeyInfo; accepted, as dkimpy does.
            org.bouncycastle.asn1.pkcs.RSAPublicKey pkcs1;
            try {
                pkcs1 = org.bouncycastle.asn1.pkcs.RSAPublicKey.getInstance(data);
            } catch (RuntimeException notPkcs1) {
                // Bouncy Castle's ASN.1 reader refuses garbage with whatever it meets: NullPointerException for no
                // octets, IllegalStateException for an INTEGER or NULL where a SEQUENCE belongs (found by fuzzing).
                throw new GeneralSecurityException("neither SubjectPublicKeyInfo nor PKCS#1 RSAPublicKey", notPkcs1);
            }
            return rsa.generatePublic(new RSAPublicKeySpec(pkcs1.getModulus(), pkcs1.getPublicExponent()));
        }
    }
}
