package dev.hato.auth.token;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What an access token must say to be trusted: the issuer ({@code iss}) it must name, the audience ({@code aud})
 * it must contain when set, the claim holding the auth ID, and the allowed clock skew. The keys are a
 * {@link TokenKeySource}.
 */
public record TokenSettings(String issuer, @Nullable String audience, String authIdClaim, Duration clockSkew) {

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
    }
}
