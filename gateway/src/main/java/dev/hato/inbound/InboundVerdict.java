package dev.hato.inbound;

/**
 * What inbound authentication decided about one message: the Authentication-Results field to prepend (with its
 * CRLF), and what to do with the message.
 */
public record InboundVerdict(byte[] field, Action action, String reply) {

    public enum Action {
        /** Deliver to the INBOX. */
        ACCEPT,
        /** Deliver to each recipient's Junk mailbox (DMARC p=quarantine). */
        QUARANTINE,
        /** Refuse for good: {@link #reply()} is the 550 5.7.1 line (DMARC p=reject). */
        REJECT,
        /** Refuse for now: {@link #reply()} is the 451 4.7.0 line (DMARC temperror, when so configured). */
        DEFER
    }
}
