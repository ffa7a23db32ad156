package dev.hato.smtp.session;

import java.nio.file.Path;
import java.time.Duration;

/**
 * One SMTP listener's behaviour and limits. {@code startTlsOffered} is true on plain-text listeners that can
 * upgrade; on implicit-TLS listeners the connection is already protected.
 */
public record SmtpSettings(String hostName, Role role, boolean startTlsOffered, long maxMessageSize,
                           int maxRecipients, int maxLineLength, int maxErrors, int maxAuthFailures,
                           Duration idleTimeout, Path spoolDirectory, int spoolMemoryLimit,
                           BareLineEndings bareLineEndings, int maxCommandsBeforeAuth) {

    /**
     * What to do with a bare LF (or CR) in DATA (RFC 5321 §2.3.8 forbids them; SMTP smuggling uses them). Either
     * way only CRLF.CRLF ends the data. NORMALIZE turns bare LF into CRLF and accepts; REJECT answers 554.
     */
    public enum BareLineEndings { NORMALIZE, REJECT }

    /** MTA: receives mail for local domains from anyone. SUBMISSION: authenticated users send mail. */
    public enum Role { MTA, SUBMISSION }

    public SmtpSettings {
        if (hostName.isBlank()) {
            throw new IllegalArgumentException("host name must not be blank");
        }
        if (maxMessageSize < 1024 || maxRecipients < 1 || maxLineLength < 512 || maxErrors < 1
                || maxAuthFailures < 1 || spoolMemoryLimit < 0 || maxCommandsBeforeAuth < 3) {
            throw new IllegalArgumentException("SMTP limits out of range");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idle timeout must be positive");
        }
    }

    /** RFC 5321 §4.5.3.2.7: at least 5 minutes for commands. */
    public static SmtpSettings defaults(String hostName, Role role, Path spoolDirectory) {
        return new SmtpSettings(hostName, role, false, 50L * 1024 * 1024, 100, 4096, 10, 3,
                Duration.ofMinutes(5), spoolDirectory, 1024 * 1024, BareLineEndings.NORMALIZE, 20);
    }

    public SmtpSettings withStartTlsOffered(boolean offered) {
        return new SmtpSettings(hostName, role, offered, maxMessageSize, maxRecipients, maxLineLength, maxErrors,
                maxAuthFailures, idleTimeout, spoolDirectory, spoolMemoryLimit, bareLineEndings,
                maxCommandsBeforeAuth);
    }

    public SmtpSettings withMaxMessageSize(long size) {
        return new SmtpSettings(hostName, role, startTlsOffered, size, maxRecipients, maxLineLength, maxErrors,
                maxAuthFailures, idleTimeout, spoolDirectory, spoolMemoryLimit, bareLineEndings,
                maxCommandsBeforeAuth);
    }

    public SmtpSettings withBareLineEndings(BareLineEndings handling) {
        return new SmtpSettings(hostName, role, startTlsOffered, maxMessageSize, maxRecipients, maxLineLength,
                maxErrors, maxAuthFailures, idleTimeout, spoolDirectory, spoolMemoryLimit, handling,
                maxCommandsBeforeAuth);
    }

    public SmtpSettings withLimits(int lineLength, int commandsBeforeAuth) {
        return new SmtpSettings(hostName, role, startTlsOffered, maxMessageSize, maxRecipients, lineLength,
                maxErrors, maxAuthFailures, idleTimeout, spoolDirectory, spoolMemoryLimit, bareLineEndings,
                commandsBeforeAuth);
    }

    public SmtpSettings withRole(Role newRole) {
        return new SmtpSettings(hostName, newRole, startTlsOffered, maxMessageSize, maxRecipients, maxLineLength,
                maxErrors, maxAuthFailures, idleTimeout, spoolDirectory, spoolMemoryLimit, bareLineEndings,
                maxCommandsBeforeAuth);
    }

    public SmtpSettings withMaxRecipients(int recipients) {
        return new SmtpSettings(hostName, role, startTlsOffered, maxMessageSize, recipients, maxLineLength,
                maxErrors, maxAuthFailures, idleTimeout, spoolDirectory, spoolMemoryLimit, bareLineEndings,
                maxCommandsBeforeAuth);
    }

    public SmtpSettings withIdleTimeout(Duration timeout) {
        return new SmtpSettings(hostName, role, startTlsOffered, maxMessageSize, maxRecipients, maxLineLength,
                maxErrors, maxAuthFailures, timeout, spoolDirectory, spoolMemoryLimit, bareLineEndings,
                maxCommandsBeforeAuth);
    }
}
