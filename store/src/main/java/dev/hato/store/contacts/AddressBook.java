package dev.hato.store.contacts;

/**
 * One of a person's address books: {@code name} is its URL segment, {@code syncToken} rises with every change of a
 * contact in it (the same number serves as CalendarServer's ctag and as RFC 6578's sync token).
 */
public record AddressBook(long accountId, String name, String displayName, long syncToken) { }
