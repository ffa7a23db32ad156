package dev.hato.store.contacts;

import java.util.List;

/**
 * What changed in a book after a sync token (RFC 6578 §3.8): contacts added or changed, names of contacts removed,
 * and the token to ask from next time.
 */
public record ContactChanges(long syncToken, List<Contact> changed, List<String> removed) {

    public ContactChanges {
        changed = List.copyOf(changed);
        removed = List.copyOf(removed);
    }
}
