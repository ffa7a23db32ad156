/**
 * Mail: the contract for stored messages, in two interfaces. {@link dev.hato.store.mail.Mailboxes}: an account's
 * mailboxes and their messages (IMAP's names, flags, UIDs, quotas and change feed; POP3's listing, leases and
 * expunge). {@link dev.hato.store.mail.Blobs}: a message's content-addressed blob by id (its octets, the heads of
 * several at once, and the facts parsed once per blob, {@link dev.hato.store.mail.MessageFacts}). Besides them, the
 * search over the facts ({@link dev.hato.store.mail.MessageSearch}), and the batching
 * {@link dev.hato.store.mail.DeliveryWriter} that appends a delivered message to its local recipients and queues it
 * for the remote ones in one transaction (the one place mail reaches into {@code dev.hato.store.queue}). Records and
 * reactive interfaces only; SQL lives in {@code dev.hato.store.pg}.
 */
@NullMarked
package dev.hato.store.mail;

import org.jspecify.annotations.NullMarked;
