package dev.hato.store.contacts;

import org.jspecify.annotations.Nullable;

/**
 * HTTP's conditions on a write (RFC 9110 §13.1): {@code ifMatch}, the entity tag the contact must have (the client
 * changes what it read, not what someone else wrote since; {@code *}: any, the contact must exist);
 * {@code ifNoneMatchAny}, the contact must not exist yet
 * (a new contact never overwrites one of the same name).
 */
public record Precondition(@Nullable String ifMatch, boolean ifNoneMatchAny) {

    /** No condition: the write replaces whatever is there. */
    public static final Precondition NONE = new Precondition(null, false);
}
