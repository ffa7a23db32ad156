package dev.hato.auth.token;

import java.security.Key;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How to trust access tokens: the issuer ({@code iss}) they must name, the audience ({@code aud}) they must contain
 * when set, the claim holding the auth ID, the allowed clock skew, and the key that signs them — an RSA or EC
 * public key (RS256/ES256) or an HMAC secret (HS256).
 */
public record TokenSettings(String issuer, @Nullable String audience, String authIdClaim, Duration clockSkew,
                            Key key) {

    public TokenSettings {
        if (issuer.isBlank()) {
            throw new IllegalArgumentException("the token issuer must be set");
        }
        if (authIdClaim.isBlank()) {
            throw new IllegalArgumentException("the auth ID claim must be named");
        }
        if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("clock skew must be between 0 and 10 minutes");
        }
        String algorithm = key.getAlgorithm();
        if (!algorithm.equals("RSA") && !algorithm.equals("EC") && !algorithm.startsWith("Hmac")) {
            throw new IllegalArgumentException("token key must be RSA, EC or an HMAC secret, not " + algorithm);
        }
    }
}
