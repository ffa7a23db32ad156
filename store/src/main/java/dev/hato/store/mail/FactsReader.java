package dev.hato.store.mail;

import java.nio.ByteBuffer;

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
}
