package dev.hato.smtp.session;

import dev.hato.message.MessageLimits;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One SMTP listener's behaviour and limits. {@code startTlsOffered} is true on plain-text listeners that can
 * upgrade; on implicit-TLS listeners the connection is already protected.
 *
 * @param idleTimeout    how long the server waits for the next command (RFC 5321 §4.5.3.2.7: at least 5 minutes)
 * @param dataTimeout    how long it waits for the next octets of message content (DATA or BDAT; RFC 5321
 *                       §4.5.3.2.6: at least 3 minutes between blocks)
 * @param maxHops        the most {@code Received:} fields a message may carry before it is refused as looping
 *                       (RFC 5321 §6.3 asks for at least 100)
 * @param remoteDelivery whether recipients elsewhere are queued for outbound delivery: by authenticated users on
 *                       the submission role, and forwarding/alias targets on both roles. Without it they are refused.
 * @param messageLimits  the MIME shape a received message must have (parts, nesting, header sections and lines
 *                       at every level), checked as it is spooled; a message beyond them is refused after its end
 */
public record SmtpSettings(String hostName, Role role, boolean startTlsOffered, long maxMessageSize,
                           int maxRecipients, int maxLineLength, int maxErrors, int maxAuthFailures,
                           Duration idleTimeout, Duration dataTimeout, Path spoolDirectory, int spoolMemoryLimit,
                           BareLineEndings bareLineEndings, int maxCommandsBeforeAuth, int maxHops,
                           boolean remoteDelivery, MessageLimits messageLimits) {

    /**
     * What to do with a bare CR or LF in DATA or BDAT (RFC 5321 §2.3.8 forbids them; SMTP smuggling uses them).
     * Either way only CRLF.CRLF ends the data. NORMALIZE turns each into CRLF and accepts; REJECT answers 554.
     */
    public enum BareLineEndings { NORMALIZE, REJECT }

    /** MTA: receives mail for local domains from anyone. SUBMISSION: authenticated users send mail. */
    public enum Role { MTA, SUBMISSION }

    public SmtpSettings {
        if (hostName.isBlank()) {
            throw new IllegalArgumentException("host name must not be blank");
        }
        if (maxMessageSize < 1024 || maxRecipients < 1 || maxLineLength < 512 || maxErrors < 1
                || maxAuthFailures < 1 || spoolMemoryLimit < 0 || maxCommandsBeforeAuth < 3 || maxHops < 1) {
            throw new IllegalArgumentException("SMTP limits out of range");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero() || dataTimeout.isNegative() || dataTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }

    /** RFC 5321 §4.5.3.2: 5 minutes for commands, 10 for content (the data termination allowance). */
    public static SmtpSettings defaults(String hostName, Role role, Path spoolDirectory) {
        return new SmtpSettings(hostName, role, false, 50L * 1024 * 1024, 100, 4096, 10, 3,
                Duration.ofMinutes(5), Duration.ofMinutes(10), spoolDirectory, 1024 * 1024,
                BareLineEndings.NORMALIZE, 20, 100, false, MessageLimits.DEFAULTS);
    }

    public SmtpSettings withStartTlsOffered(boolean offered) {
        return new SmtpSettings(hostName, role, offered, maxMessageSize, maxRecipients, maxLineLength, maxErrors,
                maxAuthFailures, idleTimeout, dataTimeout, spoolDirectory, spoolMemoryLimit, bareLineEndings,
                maxCommandsBeforeAuth, maxHops, remoteDelivery, messageLimits);
    }

    public SmtpSettings withMaxMessageSize(long size) {
        return new SmtpSettings(hostName, role, startTlsOffered, size, maxRecipients, maxLineLength, maxErrors,
                maxAuthFailures, idleTimeout, dataTimeout, spoolDirectory, spoolMemoryLimit, bareLineEndings,
                maxCommandsBeforeAuth, maxHops, remoteDelivery, messageLimits);
    }

    public SmtpSettings withBareLineEndings(BareLineEndings handling) {
        return new SmtpSettings(hostName, role, startTlsOffered, maxMessageSize, maxRecipients, maxLineLength,
                maxErrors, maxAuthFailures, idleTimeout, dataTimeout, spoolDirectory, spoolMemoryLimit, handling,
                maxCommandsBeforeAuth, maxHops, remoteDelivery, messageLimits);
    }

    /** Line length, commands before AUTH on the submission role, failed AUTH attempts per connection. */
    public SmtpSettings withLimits(int lineLength, int commandsBeforeAuth, int authFailures) {
        return new SmtpSettings(hostName, role, startTlsOffered, maxMessageSize, maxRecipients, lineLength,
                maxErrors, authFailures, idleTimeout, dataTimeout, spoolDirectory, spoolMemoryLimit, bareLineEndings,
                commandsBeforeAuth, maxHops, remoteDelivery, messageLimits);
    }

    public SmtpSettings withRole(Role newRole) {
        return new SmtpSettings(hostName, newRole, startTlsOffered, maxMessageSize, maxRecipients, maxLineLength,
                maxErrors, maxAuthFailures, idleTimeout, dataTimeout, spoolDirectory, spoolMemoryLimit,
                bareLineEndings, maxCommandsBeforeAuth, maxHops, remoteDelivery, messageLimits);
    }

    public SmtpSettings withMaxRecipients(int recipients) {
        return new SmtpSettings(hostName, role, startTlsOffered, maxMessageSize, recipients, maxLineLength,
                maxErrors, maxAuthFailures, idleTimeout, dataTimeout, spoolDirectory, spoolMemoryLimit,
                bareLineEndings, maxCommandsBeforeAuth, maxHops, remoteDelivery, messageLimits);
    }

    public SmtpSettings withTimeouts(Duration idle, Duration data) {
        return new SmtpSettings(hostName, role, startTlsOffered, maxMessageSize, maxRecipients, maxLineLength,
                maxErrors, maxAuthFailures, idle, data, spoolDirectory, spoolMemoryLimit, bareLineEndings,
                maxCommandsBeforeAuth, maxHops, remoteDelivery, messageLimits);
    }

    public SmtpSettings withMaxHops(int hops) {
        return new SmtpSettings(hostName, role, startTlsOffered, maxMessageSize, maxRecipients, maxLineLength,
                maxErrors, maxAuthFailures, idleTimeout, dataTimeout, spoolDirectory, spoolMemoryLimit,
                bareLineEndings, maxCommandsBeforeAuth, hops, remoteDelivery, messageLimits);
    }

    public SmtpSettings withMessageLimits(MessageLimits limits) {
        return new SmtpSettings(hostName, role, startTlsOffered, maxMessageSize, maxRecipients, maxLineLength,
                maxErrors, maxAuthFailures, idleTimeout, dataTimeout, spoolDirectory, spoolMemoryLimit,
                bareLineEndings, maxCommandsBeforeAuth, maxHops, remoteDelivery, limits);
    }

    public SmtpSettings withRemoteDelivery(boolean enabled) {
        return new SmtpSettings(hostName, role, startTlsOffered, maxMessageSize, maxRecipients, maxLineLength,
                maxErrors, maxAuthFailures, idleTimeout, dataTimeout, spoolDirectory, spoolMemoryLimit,
                bareLineEndings, maxCommandsBeforeAuth, maxHops, enabled, messageLimits);
    }
}
