package dev.hato.store.pg;

import dev.hato.store.mail.MessageMeta;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Readable;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Listing, expunging and leasing the messages of a mailbox, for {@link PgMailboxes}, and the change feed's channel.
 * Every statement names the account first (the distribution column).
 */
final class PgMessages {

    /** The channel of the change feed; payload {@code <mailbox id>:<modseq>}. */
    static final String CHANNEL = "hato_mailbox";

    /** The columns {@link #message} reads. */
    static final String MESSAGE_COLUMNS = "account_id, mailbox_id, uid, modseq, blob_id, size, internal_date, flags,"
            + " origin_mailbox_id, origin_uid, save_date";

    private final Database db;

    PgMessages(Database db) {
        this.db = db;
    }

    Flux<MessageMeta> messages(long accountId, long mailboxId) {
        return db.query("SELECT " + MESSAGE_COLUMNS
                        + " FROM message WHERE account_id = $1 AND mailbox_id = $2 ORDER BY uid",
                PgMessages::message, accountId, mailboxId);
    }

    Mono<Void> expunge(long accountId, long mailboxId, Collection<Long> uids) {
        Objects.requireNonNull(uids, "uids");
        if (uids.isEmpty()) {
            return Mono.empty();
        }
        Long[] wanted = uids.toArray(Long[]::new);
        return db.inTransaction(connection -> expunge(connection, accountId, mailboxId, wanted))
                .then()
                .onErrorResume(NothingToExpunge.class, ignored -> Mono.empty());
    }

    private static Mono<Void> expunge(Connection connection, long accountId, long mailboxId, Long[] uids) {
        // The mailbox row is locked first, as deliveries lock it, so expunges and appends get distinct, increasing
        // modseqs in commit order. When nothing matched, the whole transaction rolls back (no modseq is spent).
        return Database.rows(Database.statement(connection, "UPDATE mailbox SET highest_modseq = highest_modseq + 1"
                                + " WHERE account_id = $1 AND id = $2 RETURNING highest_modseq", accountId, mailboxId),
                        row -> Database.required(row, "highest_modseq", Long.class))
                .singleOrEmpty()
                .flatMap(modseq -> Database.rows(Database.statement(connection,
                                        "WITH gone AS (DELETE FROM message WHERE account_id = $1 AND mailbox_id = $2"
                                                + " AND uid = ANY($3) RETURNING uid)"
                                                + " INSERT INTO change (account_id, mailbox_id, modseq, uid, kind)"
                                                + " SELECT $1, $2, $4, uid, 'expunge' FROM gone RETURNING uid",
                                        accountId, mailboxId, uids, modseq),
                                row -> Database.required(row, "uid", Long.class))
                        .count()
                        .flatMap(expunged -> expunged == 0
                                ? Mono.error(new NothingToExpunge())
                                : Database.rowsUpdated(Database.statement(connection, "SELECT pg_notify($1, $2)",
                                        CHANNEL, mailboxId + ":" + modseq))))
                .then();
    }

    /** Rolls back an expunge that found none of its UIDs, so that it spends no modseq; never leaves this class. */
    private static final class NothingToExpunge extends RuntimeException {
        NothingToExpunge() {
            super(null, null, false, false);
        }
    }

    Mono<Boolean> lease(long accountId, long mailboxId, String owner, Duration duration) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative() || duration.isZero()) {
            return Mono.error(new IllegalArgumentException("a lease needs a positive duration, not " + duration));
        }
        // Taken when free, expired, or already ours (then renewed). The database clock decides expiry, so nodes
        // with skewed clocks still agree.
        return db.update("UPDATE mailbox SET lease_owner = $3,"
                                + " lease_until = clock_timestamp() + $4 * interval '1 microsecond'"
                                + " WHERE account_id = $1 AND id = $2"
                                + " AND (lease_owner IS NULL OR lease_owner = $3 OR lease_until <= clock_timestamp())",
                        accountId, mailboxId, owner, toMicros(duration))
                .map(updated -> updated > 0);
    }

    Mono<Void> release(long accountId, long mailboxId, String owner) {
        Objects.requireNonNull(owner, "owner");
        return db.update("UPDATE mailbox SET lease_owner = NULL, lease_until = NULL"
                + " WHERE account_id = $1 AND id = $2 AND lease_owner = $3", accountId, mailboxId, owner).then();
    }

    private static long toMicros(Duration duration) {
        try {
            return Math.multiplyExact(duration.getSeconds(), 1_000_000L) + duration.getNano() / 1_000;
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("lease duration too long: " + duration, e);
        }
    }

    static MessageMeta message(Readable row) {
        String[] flags = Database.required(row, "flags", String[].class);
        long mailboxId = Database.required(row, "mailbox_id", Long.class);
        long uid = Database.required(row, "uid", Long.class);
        // NULL origin: the message was stored here (V10__object_ids.sql)
        Long originMailboxId = row.get("origin_mailbox_id", Long.class);
        Long originUid = row.get("origin_uid", Long.class);
        return new MessageMeta(Database.required(row, "account_id", Long.class), mailboxId, uid,
                Database.required(row, "modseq", Long.class),
                Database.required(row, "blob_id", Long.class),
                Database.required(row, "size", Long.class),
                Database.required(row, "internal_date", Instant.class),
                Set.copyOf(List.of(flags)),
                originMailboxId == null ? mailboxId : originMailboxId,
                originUid == null ? uid : originUid,
                row.get("save_date", Instant.class)); // RFC 8514: NULL for messages stored before V11
    }
}
