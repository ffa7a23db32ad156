/**
 * Offline import of a person's old mail into their Hato mailboxes ({@code hato import maildir|mbox}): Maildir
 * trees as Dovecot and Courier write them, and mbox files (mboxrd), read one message at a time into the same
 * {@link dev.hato.delivery.MessageSpool} and facts reader as an IMAP APPEND, and stored with the store's multiple
 * append, keeping folders, flags, keywords and dates. See docs/migration.md.
 */
@NullMarked
package dev.hato.migration;

import org.jspecify.annotations.NullMarked;
