/**
 * Mail: the contract for stored messages. {@link dev.hato.store.mail.Mailboxes} (IMAP's mailboxes, messages,
 * flags, UIDs and change feed), {@link dev.hato.store.mail.MessageStore} (content-addressed blobs: content, heads,
 * leases, expunge), the facts parsed once per message ({@link dev.hato.store.mail.MessageFacts}) and the search
 * over them ({@link dev.hato.store.mail.MessageSearch}), and the batching {@link dev.hato.store.mail.DeliveryWriter}
 * that appends a delivered message to its local recipients and queues it for the remote ones in one transaction
 * (the one place mail reaches into {@code dev.hato.store.queue}). Records and reactive interfaces only; SQL lives in
 * {@code dev.hato.store.pg}.
 */
@NullMarked
package dev.hato.store.mail;

import org.jspecify.annotations.NullMarked;
