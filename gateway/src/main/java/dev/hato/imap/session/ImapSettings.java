package dev.hato.imap.session;

import dev.hato.message.MessageLimits;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One IMAP listener's behaviour and limits.
 *
 * @param hostName the server's name, in the greeting
 * @param startTlsOffered STARTTLS on a plain port (the 143 role); login is refused until TLS is on
 * @param maxLineLength the longest command line, literal contents excluded (RFC 7162 §4 asks for at least 8192)
 * @param maxLiteralSize the largest literal outside APPEND (a password, a search string, a mailbox name), and every
 *     literal before login
 * @param appendLimit the largest message APPEND accepts (RFC 7889 APPENDLIMIT)
 * @param maxNestingDepth how deep parentheses and NOT/OR may nest in one command
 * @param maxBadCommandsBeforeLogin commands answered BAD/NO before login after which the server says BYE
 * @param maxAuthFailures failed logins on one connection after which the server says BYE
 * @param loginTimeout autologout before login
 * @param idleTimeout autologout after login (RFC 3501 §5.4: at least 30 minutes)
 * @param spoolDirectory where APPEND spools a message larger than {@code spoolMemoryLimit}
 * @param spoolMemoryLimit octets of an APPENDed message kept in memory before spooling to a file
 * @param messageLimits the MIME shape an APPENDed message must have, checked as it is spooled (as SMTP does)
 * @param maxListPatternLength the most characters of LIST/LSUB patterns in one command, each counted with the
 *     reference; matching costs up to this times a name's length (see MailboxPattern)
 * @param maxListWildcards the most {@code *} and {@code %} in one command's LIST/LSUB patterns with the reference
 * @param maxAppendMessages the most messages one APPEND may carry (RFC 3502 MULTIAPPEND)
 * @param maxAppendOctets the most octets the messages of one APPEND may have together, at least {@code appendLimit}
 *     so that one message of APPENDLIMIT always fits
 */
public record ImapSettings(String hostName, boolean startTlsOffered, int maxLineLength, long maxLiteralSize,
                           long appendLimit, int maxNestingDepth, int maxBadCommandsBeforeLogin, int maxAuthFailures,
                           Duration loginTimeout, Duration idleTimeout, Path spoolDirectory, int spoolMemoryLimit,
                           MessageLimits messageLimits, int maxListPatternLength, int maxListWildcards,
                           int maxAppendMessages, long maxAppendOctets) {

    public ImapSettings {
        if (hostName.isBlank()) {
            throw new IllegalArgumentException("host name must not be blank");
        }
        // RFC 7162 §4: clients are told to keep commands within 8192 octets, so servers accept at least that.
        if (maxLineLength < 8192) {
            throw new IllegalArgumentException("the IMAP line limit must be at least 8192 octets");
        }
        if (maxLiteralSize < 1024 || appendLimit < 1024 || appendLimit > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("IMAP literal limits out of range (1 KiB .. 4 GiB)");
        }
        if (maxNestingDepth < 4 || maxBadCommandsBeforeLogin < 1 || maxAuthFailures < 1 || spoolMemoryLimit < 0) {
            throw new IllegalArgumentException("IMAP limits out of range");
        }
        // A name is up to 1,000 characters, so a shorter limit could not list every name by itself; a longer one
        // would let one LIST cost more than the stored names justify.
        if (maxListPatternLength < 1000 || maxListPatternLength > 65536 || maxListWildcards < 1
                || maxListWildcards > maxListPatternLength) {
            throw new IllegalArgumentException("IMAP LIST pattern limits out of range (1000 .. 65536 characters, "
                    + "1 .. that many wildcards)");
        }
        if (maxAppendMessages < 1 || maxAppendOctets < appendLimit) {
            throw new IllegalArgumentException("IMAP APPEND limits out of range (at least 1 message, and at least "
                    + "APPENDLIMIT octets)");
        }
        // RFC 3501 §5.4: an inactivity autologout timer is at least 30 minutes once logged in.
        if (idleTimeout.compareTo(Duration.ofMinutes(30)) < 0) {
            throw new IllegalArgumentException("the IMAP autologout timer must be at least 30 minutes");
        }
        if (loginTimeout.compareTo(Duration.ofSeconds(1)) < 0 || loginTimeout.compareTo(idleTimeout) > 0) {
            throw new IllegalArgumentException("the IMAP login timeout must be between 1s and the idle timeout");
        }
    }

    /**
     * The default line limit: the longest ID command RFC 2971 §3.3 allows (30 pairs, fields of 30 octets, values of
     * 1,024), every octet of every string escaped in a quoted string, is {@code ID (} + 30 × (62 + 1 + 2,050) + 29
     * separating spaces + {@code )} = 63,424 octets; 64 KiB holds that and a tag of up to 2,110 octets. Literal
     * contents do not count (the framer counts only the line's own text).
     */
    public static final int DEFAULT_MAX_LINE_LENGTH = 64 * 1024;

    /**
     * 64 KiB lines ({@link #DEFAULT_MAX_LINE_LENGTH}), 64 KiB literals, 50 MiB messages, nesting 16, BYE after 10
     * bad commands or 3 failed logins, LIST patterns up to 1,024 characters and 64 wildcards, APPEND of up to
     * 1,000 messages and 100 MiB together.
     */
    public static ImapSettings defaults(String hostName, Path spoolDirectory) {
        return new ImapSettings(hostName, false, DEFAULT_MAX_LINE_LENGTH, 64 * 1024, 50L * 1024 * 1024, 16, 10, 3,
                Duration.ofMinutes(1), Duration.ofMinutes(30), spoolDirectory, 1024 * 1024, MessageLimits.DEFAULTS,
                1024, 64, 1000, 100L * 1024 * 1024);
    }

    public ImapSettings withStartTlsOffered(boolean offered) {
        return new ImapSettings(hostName, offered, maxLineLength, maxLiteralSize, appendLimit, maxNestingDepth,
                maxBadCommandsBeforeLogin, maxAuthFailures, loginTimeout, idleTimeout, spoolDirectory,
                spoolMemoryLimit, messageLimits, maxListPatternLength, maxListWildcards,
                maxAppendMessages, maxAppendOctets);
    }

    /** A new APPENDLIMIT; the bound on one APPEND's octets together grows with it when it was smaller. */
    public ImapSettings withAppendLimit(long limit) {
        return new ImapSettings(hostName, startTlsOffered, maxLineLength, maxLiteralSize, limit, maxNestingDepth,
                maxBadCommandsBeforeLogin, maxAuthFailures, loginTimeout, idleTimeout, spoolDirectory,
                spoolMemoryLimit, messageLimits, maxListPatternLength, maxListWildcards,
                maxAppendMessages, Math.max(maxAppendOctets, limit));
    }

    public ImapSettings withLimits(int lineLength, long literalSize, int nestingDepth, int badCommandsBeforeLogin,
                                   int authFailures) {
        return new ImapSettings(hostName, startTlsOffered, lineLength, literalSize, appendLimit, nestingDepth,
                badCommandsBeforeLogin, authFailures, loginTimeout, idleTimeout, spoolDirectory, spoolMemoryLimit,
                messageLimits, maxListPatternLength, maxListWildcards, maxAppendMessages, maxAppendOctets);
    }

    public ImapSettings withTimeouts(Duration login, Duration idle) {
        return new ImapSettings(hostName, startTlsOffered, maxLineLength, maxLiteralSize, appendLimit,
                maxNestingDepth, maxBadCommandsBeforeLogin, maxAuthFailures, login, idle, spoolDirectory,
                spoolMemoryLimit, messageLimits, maxListPatternLength, maxListWildcards,
                maxAppendMessages, maxAppendOctets);
    }

    public ImapSettings withListLimits(int patternLength, int wildcards) {
        return new ImapSettings(hostName, startTlsOffered, maxLineLength, maxLiteralSize, appendLimit,
                maxNestingDepth, maxBadCommandsBeforeLogin, maxAuthFailures, loginTimeout, idleTimeout, spoolDirectory,
                spoolMemoryLimit, messageLimits, patternLength, wildcards,
                maxAppendMessages, maxAppendOctets);
    }

    /** RFC 3502 MULTIAPPEND bounds: messages per APPEND, and their octets together. */
    public ImapSettings withAppendBatchLimits(int messages, long octets) {
        return new ImapSettings(hostName, startTlsOffered, maxLineLength, maxLiteralSize, appendLimit,
                maxNestingDepth, maxBadCommandsBeforeLogin, maxAuthFailures, loginTimeout, idleTimeout, spoolDirectory,
                spoolMemoryLimit, messageLimits, maxListPatternLength, maxListWildcards, messages, octets);
    }

    public ImapSettings withMessageLimits(MessageLimits limits) {
        return new ImapSettings(hostName, startTlsOffered, maxLineLength, maxLiteralSize, appendLimit,
                maxNestingDepth, maxBadCommandsBeforeLogin, maxAuthFailures, loginTimeout, idleTimeout, spoolDirectory,
                spoolMemoryLimit, limits, maxListPatternLength, maxListWildcards,
                maxAppendMessages, maxAppendOctets);
    }
}
