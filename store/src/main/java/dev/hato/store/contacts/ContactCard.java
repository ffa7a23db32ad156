package dev.hato.store.contacts;

import java.util.List;

/**
 * A vCard to store, with what the caller extracted from it: the store does not parse vCards.
 *
 * @param uid         the vCard's UID (one vCard per UID in a book, RFC 6352 §6.3.2.1)
 * @param vcard       the text as uploaded
 * @param kind        {@code individual}, {@code group}, {@code org} or {@code location}
 * @param displayName FN, for listing and autocomplete
 * @param emails      the EMAIL values, for autocomplete
 */
public record ContactCard(String uid, String vcard, String kind, String displayName, List<String> emails) {

    public ContactCard {
        emails = List.copyOf(emails);
    }
}
