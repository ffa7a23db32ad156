package dev.hato.delivery;

/** What became of one admitted recipient once the message went through the pipeline. */
public sealed interface RecipientVerdict
        permits RecipientVerdict.Delivered, RecipientVerdict.Queued, RecipientVerdict.Failed {

    /** The recipient as the client wrote it. */
    String recipient();

    /** Stored in at least one local mailbox (any copies for elsewhere are queued as well). */
    record Delivered(String recipient) implements RecipientVerdict { }

    /** Queued for delivery elsewhere only (a relayed recipient, or one forwarded without a local copy). */
    record Queued(String recipient) implements RecipientVerdict { }

    /** Not delivered, with the reply that says why. */
    record Failed(String recipient, DeliveryReply reply) implements RecipientVerdict { }
}
