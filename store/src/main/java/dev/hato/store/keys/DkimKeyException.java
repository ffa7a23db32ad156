package dev.hato.store.keys;

/** A DKIM key change the data does not allow; {@link #reason()} says which rule, the message says it for people. */
public final class DkimKeyException extends RuntimeException {

    public enum Reason { DUPLICATE_SELECTOR, UNKNOWN_KEY }

    private final Reason reason;

    public DkimKeyException(Reason reason, String message) {
        // No cause: the message is complete, and the CLI prints the innermost cause's message.
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
