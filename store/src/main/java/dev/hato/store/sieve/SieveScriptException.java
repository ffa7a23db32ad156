package dev.hato.store.sieve;

/**
 * A script change the data does not allow; {@link #reason()} says which rule (ManageSieve turns it into its response
 * code, RFC 5804 §1.3), the message says it for people.
 */
public final class SieveScriptException extends RuntimeException {

    public enum Reason {
        /** No script of that name. */
        NONEXISTENT,
        /** A script of the new name exists already. */
        ALREADY_EXISTS,
        /** The active script cannot be deleted. */
        ACTIVE,
        /** Too many scripts, or a script too large. */
        QUOTA,
        /** A name the store does not accept. */
        BAD_NAME
    }

    private final Reason reason;

    public SieveScriptException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
