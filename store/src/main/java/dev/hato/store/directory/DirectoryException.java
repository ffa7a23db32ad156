package dev.hato.store.directory;

/** A directory change the data does not allow; {@link #reason()} says which rule, the message says it for people. */
public final class DirectoryException extends RuntimeException {
    public enum Reason { DUPLICATE_DOMAIN, UNKNOWN_DOMAIN, DOMAIN_NOT_EMPTY, DUPLICATE_ADDRESS, DUPLICATE_AUTH_ID, UNKNOWN_ACCOUNT,
        UNKNOWN_ALIAS }

    private final Reason reason;

    public DirectoryException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
