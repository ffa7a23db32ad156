package dev.hato.web.site;

import java.time.Duration;

/**
 * How the webmail site behaves: {@code idleTimeout} ends a web session nobody used for that long; {@code hsts}
 * sends Strict-Transport-Security (only when a real certificate is configured: with a self-signed one it would
 * lock browsers out once the person had clicked through the warning); {@code maxSessions} bounds the web sessions
 * held in memory (logged-in people only: visitors get none).
 */
public record WebSettings(Duration idleTimeout, boolean hsts, int maxSessions) {

    public WebSettings {
        if (idleTimeout.isNegative() || idleTimeout.isZero() || idleTimeout.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("the webmail idle timeout must be positive and at most 1d");
        }
        if (maxSessions < 1) {
            throw new IllegalArgumentException("maxSessions must be positive");
        }
    }
}
