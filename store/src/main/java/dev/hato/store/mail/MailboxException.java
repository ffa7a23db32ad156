package dev.hato.store.mail;

/** A refused mailbox operation; the reason maps onto an IMAP response code (RFC 5530). */
public final class MailboxException extends RuntimeException {

    public enum Reason {
        /** [NONEXISTENT] */
        NONEXISTENT,
        /** [ALREADYEXISTS] */
        ALREADY_EXISTS,
        /** [CANNOT]: e.g. deleting INBOX, renaming into one's own child, an invalid name. */
        CANNOT,
        /** [OVERQUOTA] (RFC 9208 §4.3): the change would exceed the account's storage or message quota. */
        OVER_QUOTA,
        /** [LIMIT]: a server limit, e.g. UIDs of the mailbox exhausted, too many mailboxes. */
        LIMIT
    }

    private final Reason reason;

    public MailboxException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
