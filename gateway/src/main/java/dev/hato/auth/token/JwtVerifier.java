package dev.hato.auth.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;

/**
 * Verifies a compact JWS access token (RFC 7515/7519) against {@link TokenSettings}: the algorithm must match the
 * configured key (no "none", no algorithm switching), then signature, {@code iss}, {@code aud}, {@code exp},
 * {@code nbf}, and the auth ID claim.
 */
public final class JwtVerifier {

    /** The verdict: the auth ID on success, otherwise why not (for logs; never shown to clients). */
    public record Result(boolean valid, String authIdOrReason) {
        static Result invalid(String reason) {
            return new Result(false, reason);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_TOKEN_LENGTH = 16 * 1024;

    private final TokenSettings settings;

    public JwtVerifier(TokenSettings settings) {
        this.settings = settings;
    }

    public Result verify(String token, Instant now) {
        if (token.length() > MAX_TOKEN_LENGTH) {
            return Result.invalid("token too long");
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return Result.invalid("not a compact JWS");
        }
        try {
            JsonNode header = JSON.readTree(decode(parts[0]));
            String algorithm = header.path("alg").asText("");
            byte[] signed = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
            if (!signatureValid(algorithm, signed, decode(parts[2]))) {
                return Result.invalid("bad signature or algorithm " + algorithm);
            }
            JsonNode claims = JSON.readTree(decode(parts[1]));
            return checkClaims(claims, now);
        } catch (IOException | IllegalArgumentException | GeneralSecurityException malformed) {
            return Result.invalid("malformed token: " + malformed.getClass().getSimpleName());
        }
    }

    private Result checkClaims(JsonNode claims, Instant now) {
        if (!settings.issuer().equals(claims.path("iss").asText(null))) {
            return Result.invalid("wrong issuer");
        }
        String audience = settings.audience();
        if (audience != null && !audienceMatches(claims.path("aud"), audience)) {
            return Result.invalid("wrong audience");
        }
        long skew = settings.clockSkew().getSeconds();
        JsonNode exp = claims.path("exp");
        if (!exp.canConvertToLong() || now.getEpochSecond() > exp.asLong() + skew) {
            return Result.invalid("expired or no exp");
        }
        JsonNode nbf = claims.path("nbf");
        if (nbf.canConvertToLong() && now.getEpochSecond() + skew < nbf.asLong()) {
            return Result.invalid("not yet valid");
        }
        String authId = claims.path(settings.authIdClaim()).asText("");
        if (authId.isBlank()) {
            return Result.invalid("no " + settings.authIdClaim() + " claim");
        }
        return new Result(true, authId);
    }

    private static boolean audienceMatches(JsonNode aud, String expected) {
        if (aud.isArray()) {
            for (JsonNode entry : aud) {
                if (expected.equals(entry.asText())) {
                    return true;
                }
            }
            return false;
        }
        return expected.equals(aud.asText(null));
    }

    private boolean signatureValid(String algorithm, byte[] signed, byte[] signature)
            throws GeneralSecurityException {
        String keyAlgorithm = settings.key().getAlgorithm();
        // RFC 8725 §3.1: the key decides the algorithm; the token's header may only confirm it.
        switch (algorithm) {
            case "RS256" -> {
                return keyAlgorithm.equals("RSA") && publicKeyVerify("SHA256withRSA", signed, signature);
            }
            case "ES256" -> {
                return keyAlgorithm.equals("EC") && signature.length == 64
                        && publicKeyVerify("SHA256withECDSA", signed, derFromJose(signature));
            }
            case "HS256" -> {
                if (!keyAlgorithm.startsWith("Hmac")) {
                    return false;
                }
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(settings.key());
                return MessageDigest.isEqual(mac.doFinal(signed), signature);
            }
            default -> {
                return false;
            }
        }
    }

    private boolean publicKeyVerify(String algorithm, byte[] signed, byte[] signature)
            throws GeneralSecurityException {
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify((PublicKey) settings.key());
        verifier.update(signed);
        return verifier.verify(signature);
    }

    /** RFC 7518 §3.4: ES256 signatures are R || S, 32 octets each; JCA wants a DER SEQUENCE of two INTEGERs. */
    private static byte[] derFromJose(byte[] jose) throws GeneralSecurityException {
        try {
            ASN1EncodableVector vector = new ASN1EncodableVector();
            vector.add(new ASN1Integer(new BigInteger(1, java.util.Arrays.copyOfRange(jose, 0, 32))));
            vector.add(new ASN1Integer(new BigInteger(1, java.util.Arrays.copyOfRange(jose, 32, 64))));
            return new DERSequence(vector).getEncoded();
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static byte[] decode(String part) {
        return Base64.getUrlDecoder().decode(part);
    }
}
