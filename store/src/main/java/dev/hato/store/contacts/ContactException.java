package dev.hato.store.contacts;

import org.jspecify.annotations.Nullable;

/**
 * A change of an address book that the data does not allow; {@link #reason()} says which rule (CardDAV turns it into
 * its status and precondition element), the message says it for people.
 */
public final class ContactException extends RuntimeException {

    public enum Reason {
        /** No such address book or contact. */
        NOT_FOUND,
        /** If-Match or If-None-Match did not hold. */
        PRECONDITION_FAILED,
        /** Another contact in the book has the same UID; {@link #conflict()} names it. */
        UID_CONFLICT,
        /** The vCard is larger than {@link AddressBooks#MAX_VCARD_OCTETS}. */
        TOO_LARGE,
        /** The book holds {@link AddressBooks#MAX_CONTACTS} contacts already. */
        TOO_MANY,
        /** A resource name the store does not accept. */
        BAD_NAME,
        /** A sync token this book never gave out. */
        INVALID_TOKEN
    }

    private final Reason reason;
    private final @Nullable String conflict;

    public ContactException(Reason reason, String message) {
        this(reason, message, null);
    }

    public ContactException(Reason reason, String message, @Nullable String conflict) {
        super(message);
        this.reason = reason;
        this.conflict = conflict;
    }

    public Reason reason() {
        return reason;
    }

    /** For {@link Reason#UID_CONFLICT}: the name of the contact that has the UID. */
    public @Nullable String conflict() {
        return conflict;
    }
}
