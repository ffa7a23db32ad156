package dev.hato.pop3.session;

import java.time.Duration;

/** One POP3 listener's behaviour and limits. */
public record Pop3Settings(String hostName, boolean startTlsOffered, int maxLineLength, int maxErrors,
                           int maxAuthFailures, Duration idleTimeout, Duration leaseDuration) {

    public Pop3Settings {
        if (hostName.isBlank()) {
            throw new IllegalArgumentException("host name must not be blank");
        }
        // RFC 2449 §4: commands up to 255 octets; SASL responses (RFC 5034 §4) can be longer.
        if (maxLineLength < 255 || maxErrors < 1 || maxAuthFailures < 1) {
            throw new IllegalArgumentException("POP3 limits out of range");
        }
        if (idleTimeout.compareTo(Duration.ofSeconds(1)) < 0 || leaseDuration.compareTo(idleTimeout) < 0) {
            throw new IllegalArgumentException("the mailbox lease must outlast the idle timeout");
        }
    }

    /** RFC 1939 §3: the autologout timer is at least 10 minutes. */
    public static Pop3Settings defaults(String hostName) {
        return new Pop3Settings(hostName, false, 8192, 10, 3, Duration.ofMinutes(10), Duration.ofMinutes(30));
    }

    public Pop3Settings withStartTlsOffered(boolean offered) {
        return new Pop3Settings(hostName, offered, maxLineLength, maxErrors, maxAuthFailures, idleTimeout,
                leaseDuration);
    }

    public Pop3Settings withIdleTimeout(Duration timeout) {
        return new Pop3Settings(hostName, startTlsOffered, maxLineLength, maxErrors, maxAuthFailures, timeout,
                leaseDuration.compareTo(timeout) < 0 ? timeout : leaseDuration);
    }
}
