package dev.hato.sieve;

/** What a script decided for one recipient, carried out by the delivery pipeline after the evaluation succeeded. */
public sealed interface Action {

    /** Store in the recipient's INBOX: {@code keep}, or the implicit keep (RFC 5228 §4.3, §2.10.2). */
    record Keep() implements Action { }

    /** Store in this mailbox of the recipient (RFC 5228 §4.1). */
    record FileInto(String mailbox) implements Action { }

    /** Send the message on to this address (RFC 5228 §4.2). */
    record Redirect(String address) implements Action { }

    /** The message is dropped for this recipient (RFC 5228 §4.4); only ever the sole action. */
    record Discard() implements Action { }
}
