package dev.hato.delivery;

import dev.hato.message.LimitBreach;
import dev.hato.message.MessageLimits;
import dev.hato.store.mail.FactsReader;
import dev.hato.store.mail.MessageFacts;
import org.jspecify.annotations.Nullable;

/**
 * The {@link FactsReader} of a message received at a door (SMTP DATA and BDAT, IMAP APPEND): the parse that learns
 * the message's facts is the one that checks it against the door's {@link MessageLimits}, so the message is walked
 * once. The store knows only {@link FactsReader}; the limits are the gateway's business.
 */
public interface CheckedFactsReader extends FactsReader {

    /**
     * Once every octet is fed, the first of the limits the message broke, or null. No octet may be fed afterwards;
     * {@link #finish()} may follow.
     */
    @Nullable LimitBreach breach();

    /** Whether the message's own header section holds an octet above 0x7F (RFC 6855 §4 for IMAP APPEND). */
    boolean eightBitHeader();

    /**
     * The facts of the octets fed with {@code head} in front of them: a field (or fields, each ending in CRLF) the
     * receiving server prepends once the content is complete (Authentication-Results), which the parse never saw.
     * Offsets move by its length; its fields join the header text for SEARCH.
     */
    MessageFacts finish(byte[] head);

    /** Makes the reader of each message received at a door. */
    @FunctionalInterface
    interface Factory {
        /**
         * @param limits the shape the message must have ({@link #breach()} says which limit it broke)
         * @param ownOctets how many of the first octets fed are the receiving server's own trace fields (RFC 5321
         *                  §4.4), part of the message's facts but not counted against the client's limits
         */
        CheckedFactsReader reader(MessageLimits limits, long ownOctets);
    }
}
