package dev.hato.store.contacts;

import java.util.Collection;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Each person's address books. Every person has the book {@link #DEFAULT}, made the first time it is asked for.
 * Every write raises the book's sync token and records it as the contact's {@code modseq} (a removal leaves a
 * tombstone with it), so {@link #changes} can tell a client what changed since any token it was given.
 */
public interface AddressBooks {

    /** The book everyone has. */
    String DEFAULT = "default";
    /** Most contacts (groups included) in one book. */
    int MAX_CONTACTS = 10_000;
    /** Largest vCard, in octets of UTF-8 (a photo inline included). */
    int MAX_VCARD_OCTETS = 256 * 1024;
    /** Longest resource name, in characters. */
    int MAX_NAME_LENGTH = 255;

    /** The person's books, the default one made if need be. */
    Flux<AddressBook> books(long accountId);

    /** One book (the default one made if need be); empty when there is no book of that name. */
    Mono<AddressBook> book(long accountId, String book);

    /** Every contact of a book, by name. */
    Flux<Contact> contacts(long accountId, String book);

    /** The contacts of a book with these names, those that exist. */
    Flux<Contact> contacts(long accountId, String book, Collection<String> names);

    /** One contact; empty when there is none of that name. */
    Mono<Contact> contact(long accountId, String book, String name);

    /**
     * Stores {@code card} as the contact {@code name}, replacing one of that name when {@code precondition} allows.
     * Errors with {@link ContactException}: no such book, the precondition fails, another contact has the UID, the
     * vCard is too large or the book full, or the name is not one the store accepts.
     *
     * @return the contact as stored, and whether it is new
     */
    Mono<Stored> put(long accountId, String book, String name, ContactCard card, Precondition precondition);

    /**
     * Removes a contact when its entity tag is {@code ifMatch} (any tag when null). Errors with
     * {@link ContactException}: {@code NOT_FOUND} or {@code PRECONDITION_FAILED}.
     */
    Mono<Void> delete(long accountId, String book, String name, @Nullable String ifMatch);

    /**
     * What changed after {@code since} (0: everything, as a first sync). Errors with {@link ContactException}
     * {@code INVALID_TOKEN} for a token the book never gave out, {@code NOT_FOUND} for no such book.
     */
    Mono<ContactChanges> changes(long accountId, String book, long since);

    /**
     * Contacts of all the person's books whose display name or an address contains {@code text} (case ignored),
     * at most {@code limit}, by display name: for autocomplete.
     */
    Flux<Contact> search(long accountId, String text, int limit);

    /** A contact as stored, and whether the write made it (else it replaced one). */
    record Stored(Contact contact, boolean created) { }

    /** Whether {@code name} is a resource name the store accepts: 1 to 255 characters, no control, no slash. */
    static boolean validName(String name) {
        return !name.isEmpty() && name.length() <= MAX_NAME_LENGTH
                && name.chars().noneMatch(c -> c == '/' || Character.isISOControl(c));
    }
}
