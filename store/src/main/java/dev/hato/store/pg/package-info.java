/**
 * The PostgreSQL implementation of the store, through R2DBC: the Flyway schema ({@code db/migration}), the
 * {@link dev.hato.store.Directory}, the {@link dev.hato.store.MessageStore}, IMAP's {@link dev.hato.store.Mailboxes}
 * with its LISTEN/NOTIFY change feed, the batching {@link dev.hato.store.DeliveryWriter}, and the embedded PostgreSQL
 * used when no database URL is configured.
 * This is the only package that contains SQL. {@link dev.hato.store.pg.PgStore} and
 * {@link dev.hato.store.pg.StoreSettings} are its public face; everything else is package-private.
 */
@NullMarked
package dev.hato.store.pg;

import org.jspecify.annotations.NullMarked;
