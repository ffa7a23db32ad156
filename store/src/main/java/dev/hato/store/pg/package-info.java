/**
 * The PostgreSQL implementation of every feature of the store, through R2DBC: the Flyway schema
 * ({@code db/migration}), the directory and addresses, IMAP's mailboxes with their LISTEN/NOTIFY change feed, the
 * message store and search, the batching delivery writer, the outbound queue, the audit log, the DKIM keys, and the
 * embedded PostgreSQL used when no database URL is configured, and the logical backup and restore of the whole
 * database. This is the only package that contains SQL. {@link dev.hato.store.pg.PgStore} and
 * {@link dev.hato.store.pg.StoreSettings} are its public face, with {@link dev.hato.store.pg.PgBackup} and
 * {@link dev.hato.store.pg.PgRestore} for {@code hato backup} and {@code hato restore}; everything else is
 * package-private.
 *
 * <p>Why one package and not one per feature, while the contract is split by feature ({@code dev.hato.store.mail},
 * {@code .directory}, {@code .queue}, {@code .audit}, {@code .keys}): the implementations share one connection pool
 * and one {@code Database} helper, and their transactions cross features (a delivery batch writes messages, blobs
 * and the outbound queue's rows in one transaction, so that a message is stored and queued together or not at all).
 * Split into packages, all of that would have to become public API, reachable from the gateway, and
 * {@code PgStore}, which builds every part, would form a cycle with the packages it builds. Callers see the feature
 * split in the interfaces; the implementation stays one encapsulated unit behind {@code PgStore}.
 */
@NullMarked
package dev.hato.store.pg;

import org.jspecify.annotations.NullMarked;
