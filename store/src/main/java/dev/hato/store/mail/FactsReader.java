package dev.hato.store.mail;

import dev.hato.message.LimitBreach;
import dev.hato.message.MessageLimits;
import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;

/**
 * Learns a message's {@link MessageFacts} from its octets in the pass that receives them (SMTP DATA and BDAT, IMAP
 * APPEND, a report Hato writes), so that no delivered message is read again to be parsed. One reader per message, fed
 * its octets in order from one thread at a time; it never blocks and never holds the message, so it may run on an
 * event loop. The gateway's implementation is {@code dev.hato.imap.fetch.MessageIndexer#reader()}.
 */
public interface FactsReader {

    /** Takes the octets of {@code chunk} from its position to its limit; the buffer's position is left as it was. */
    void feed(ByteBuffer chunk);

    /**
     * The facts of the octets fed, once they are all fed. Never fails for the message's sake: a message the parser
     * cannot read gets the facts of one opaque body.
     */
    MessageFacts finish();

    /**
     * Once every octet is fed, the first of the door's {@link MessageLimits} the message broke, or null: the parse
     * that learns the facts is the one that checks the message's shape at the door (SMTP DATA and BDAT, IMAP APPEND),
     * so the door asks here before it stores the message. No octet may be fed afterwards; {@link #finish()} may
     * follow. A reader that checks no limits (the default) says null.
     */
    default @Nullable LimitBreach breach() {
        return null;
    }

    /** Makes the reader of a message received at a door, which checks it against that door's limits. */
    @FunctionalInterface
    interface AtTheDoor {
        /**
         * @param limits the shape the message must have ({@link #breach()} says which limit it broke)
         * @param ownOctets how many of the first octets fed are the receiving server's own trace fields (RFC 5321
         *                  §4.4), which are part of the message's facts but not counted against the client's limits
         */
        FactsReader reader(MessageLimits limits, long ownOctets);
    }
}
