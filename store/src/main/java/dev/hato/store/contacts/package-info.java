/**
 * Each person's address books as the store keeps them: contacts and groups as the vCard text that was uploaded, a
 * few columns extracted from it for search and autocomplete, and a sync token per book that every change raises
 * (CardDAV's ctag and RFC 6578's sync-collection read it). Parsing vCards is the {@code contacts} module's: callers
 * hand the store a {@link dev.hato.store.contacts.ContactCard} with what they extracted.
 */
@NullMarked
package dev.hato.store.contacts;

import org.jspecify.annotations.NullMarked;
