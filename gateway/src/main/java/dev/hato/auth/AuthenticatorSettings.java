package dev.hato.auth;

import java.time.Duration;

/**
 * Time limits of {@link DirectoryAuthenticator}.
 *
 * @param directoryTimeout longest wait for the account lookup by auth ID
 * @param verifyTimeout    safety net around the credential source; remote sources have their own, shorter
 *                         {@link BreakerSettings#timeout()}, so this should be longer than that
 */
public record AuthenticatorSettings(Duration directoryTimeout, Duration verifyTimeout) {

    public AuthenticatorSettings {
        if (directoryTimeout.isNegative() || directoryTimeout.isZero()) {
            throw new IllegalArgumentException("directoryTimeout must be positive");
        }
        if (verifyTimeout.isNegative() || verifyTimeout.isZero()) {
            throw new IllegalArgumentException("verifyTimeout must be positive");
        }
    }

    /** 10 s for the lookup, 15 s for the password check. */
    public static AuthenticatorSettings defaults() {
        return new AuthenticatorSettings(Duration.ofSeconds(10), Duration.ofSeconds(15));
    }

    public AuthenticatorSettings withDirectoryTimeout(Duration value) {
        return new AuthenticatorSettings(value, verifyTimeout);
    }

    public AuthenticatorSettings withVerifyTimeout(Duration value) {
        return new AuthenticatorSettings(directoryTimeout, value);
    }
}
