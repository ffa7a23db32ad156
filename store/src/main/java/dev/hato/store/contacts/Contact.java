package dev.hato.store.contacts;

import java.time.Instant;
import java.util.List;

/**
 * A stored contact or group: its resource {@code name} in the book (chosen by the client), its entity tag (changes
 * whenever the text does) and the {@code modseq}, the book's sync token when it last changed.
 */
public record Contact(long accountId, String book, String name, String etag, ContactCard card, long modseq,
                      Instant updatedAt) {

    public String uid() {
        return card.uid();
    }

    public String vcard() {
        return card.vcard();
    }

    public List<String> emails() {
        return card.emails();
    }
}
