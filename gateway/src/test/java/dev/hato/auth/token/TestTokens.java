package dev.hato.auth.token;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;
import javax.crypto.Mac;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;

/** Mints JWS tokens for tests the way an identity portal would. */
public final class TestTokens {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private TestTokens() { }

    public static String claims(String issuer, String subject, long expiresEpochSecond) {
        return "{\"iss\":\"" + issuer + "\",\"sub\":\"" + subject + "\",\"exp\":" + expiresEpochSecond + "}";
    }

    public static String hs256(Key secret, String claims) throws Exception {
        String signingInput = part("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + part(claims);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(secret);
        return signingInput + "." + B64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    }

    public static String rs256(PrivateKey key, String claims) throws Exception {
        return signed("RS256", "SHA256withRSA", key, claims, false);
    }

    /** RS256 with a {@code kid} and a {@code typ} in the header, as an issuer publishing a JWKS writes them. */
    public static String rs256(PrivateKey key, String keyId, String type, String claims) throws Exception {
        return signedWith("{\"alg\":\"RS256\",\"kid\":\"" + keyId + "\",\"typ\":\"" + type + "\"}",
                "SHA256withRSA", key, claims, false);
    }

    public static String es256(PrivateKey key, String claims) throws Exception {
        return signed("ES256", "SHA256withECDSA", key, claims, true);
    }

    public static String none(String claims) {
        return part("{\"alg\":\"none\"}") + "." + part(claims) + ".";
    }

    /** SASL OAUTHBEARER initial response (RFC 7628 §3.1), base64. */
    public static String oauthBearer(String user, String token) {
        String message = "n,a=" + user + ",\u0001host=127.0.0.1\u0001port=465\u0001auth=Bearer " + token
                + "\u0001\u0001";
        return Base64.getEncoder().encodeToString(message.getBytes(StandardCharsets.UTF_8));
    }

    /** XOAUTH2 initial response, base64. */
    public static String xoauth2(String user, String token) {
        String message = "user=" + user + "\u0001auth=Bearer " + token + "\u0001\u0001";
        return Base64.getEncoder().encodeToString(message.getBytes(StandardCharsets.UTF_8));
    }

    private static String signed(String alg, String jca, PrivateKey key, String claims, boolean jose)
            throws Exception {
        return signedWith("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}", jca, key, claims, jose);
    }

    private static String signedWith(String header, String jca, PrivateKey key, String claims, boolean jose)
            throws Exception {
        String signingInput = part(header) + "." + part(claims);
        Signature signature = Signature.getInstance(jca);
        signature.initSign(key);
        signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        byte[] bytes = signature.sign();
        return signingInput + "." + B64.encodeToString(jose ? joseFromDer(bytes) : bytes);
    }

    private static byte[] joseFromDer(byte[] der) {
        ASN1Sequence sequence = ASN1Sequence.getInstance(der);
        byte[] out = new byte[64];
        copy(((ASN1Integer) sequence.getObjectAt(0)).getValue(), out, 0);
        copy(((ASN1Integer) sequence.getObjectAt(1)).getValue(), out, 32);
        return out;
    }

    private static void copy(BigInteger value, byte[] out, int offset) {
        byte[] bytes = value.toByteArray();
        int start = Math.max(0, bytes.length - 32);
        int length = bytes.length - start;
        System.arraycopy(bytes, start, out, offset + 32 - length, length);
    }

    private static String part(String json) {
        return B64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
