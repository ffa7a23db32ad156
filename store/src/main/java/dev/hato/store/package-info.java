/**
 * The store's contract: records and small reactive interfaces for the directory (domains, accounts) and for
 * messages (mailboxes, message metadata, content-addressed blobs, the batching delivery writer). SQL lives only in
 * {@code dev.hato.store.pg}.
 */
@NullMarked
package dev.hato.store;

import org.jspecify.annotations.NullMarked;
