package dev.hato.imap.session;

import org.jspecify.annotations.Nullable;

/**
 * The messages of one APPEND announced so far (RFC 3502 MULTIAPPEND: one or more), and whether the next one may
 * come: each message at most APPENDLIMIT (RFC 7889), at most {@code maxMessages} of them, and at most
 * {@code maxOctets} together. Decided when each literal is announced, before a {@code +} asks for its octets.
 */
final class AppendBatch {

    private final long appendLimit;
    private final int maxMessages;
    private final long maxOctets;
    private int messages;
    private long octets;

    AppendBatch(long appendLimit, int maxMessages, long maxOctets) {
        this.appendLimit = appendLimit;
        this.maxMessages = maxMessages;
        this.maxOctets = maxOctets;
    }

    static AppendBatch of(ImapSettings settings) {
        return new AppendBatch(settings.appendLimit(), settings.maxAppendMessages(), settings.maxAppendOctets());
    }

    /**
     * The tagged response text refusing a next message of {@code size} octets, or null when it is admitted (and
     * then counted).
     */
    @Nullable String admit(long size) {
        if (size > appendLimit) {
            // RFC 7889 §4: TOOBIG for a message over APPENDLIMIT.
            return "NO [TOOBIG] Message larger than APPENDLIMIT " + appendLimit;
        }
        if (size == 0) {
            // RFC 3502 §6.3.11: "A zero-length message literal argument is an error, and MUST return a NO. This can
            // be used to cancel the append." (RFC 5322 §3.6: zero octets are no message either.)
            return "NO [CANNOT] APPEND of an empty message (zero octets) refused; nothing appended";
        }
        if (messages >= maxMessages) {
            // RFC 5530 §3 LIMIT: an implementation limit of this server, not of the mailbox.
            return "NO [LIMIT] At most " + maxMessages + " messages in one APPEND; nothing appended";
        }
        if (size > maxOctets - octets) {
            return "NO [LIMIT] At most " + maxOctets + " octets of messages in one APPEND; nothing appended";
        }
        messages++;
        octets += size;
        return null;
    }

    /** Octets admitted so far. */
    long octets() {
        return octets;
    }
}
