package dev.hato.store.pg;

import dev.hato.store.mail.Mailbox;
import dev.hato.store.mail.MessageMeta;
import dev.hato.store.mail.MessageStore;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Readable;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Reading and changing stored messages. Every statement names the account first (the distribution column). */
final class PgMessageStore implements MessageStore {

    /** The channel of the change feed; payload {@code <mailbox id>:<modseq>}. */
    static final String CHANNEL = "hato_mailbox";

    private final Database db;

    PgMessageStore(Database db) {
        this.db = db;
    }

    @Override
    public Mono<Mailbox> mailbox(long accountId, String name) {
        Objects.requireNonNull(name, "name");
        return db.query("SELECT id, account_id, name, uidvalidity, uid_next, highest_modseq FROM mailbox"
                        + " WHERE account_id = $1 AND name = $2", PgMessageStore::mailbox, accountId, name)
                .singleOrEmpty();
    }

    @Override
    public Flux<MessageMeta> messages(long accountId, long mailboxId) {
        return db.query("SELECT account_id, mailbox_id, uid, modseq, blob_id, size, internal_date, flags"
                        + " FROM message WHERE account_id = $1 AND mailbox_id = $2 ORDER BY uid",
                PgMessageStore::message, accountId, mailboxId);
    }

    @Override
    public Flux<ByteBuffer> content(long blobId) {
        // One query per chunk, each on a connection borrowed only for that query: a slow reader (an IMAP client
        // on a bad line) holds neither a connection nor more than the chunk it is being sent. The first query
        // brings the first chunk along, so a message of one chunk (most of them) costs one query.
        return db.query("SELECT (SELECT count(*) FROM blob_chunk c WHERE c.blob_id = b.id) AS chunks,"
                                + " (SELECT data FROM blob_chunk c WHERE c.blob_id = b.id AND c.seq = 0) AS first"
                                + " FROM blob b WHERE b.id = $1",
                        row -> new FirstChunk(Database.required(row, "chunks", Long.class),
                                row.get("first", ByteBuffer.class)), blobId)
                .singleOrEmpty()
                .switchIfEmpty(Mono.error(() -> new NoSuchElementException("no blob " + blobId)))
                .flatMapMany(first -> first.data() == null ? Flux.empty()
                        : Flux.just(first.data()).concatWith(Flux.range(1, Math.toIntExact(first.chunks() - 1))
                                .concatMap(seq -> chunk(blobId, seq), 0)));
    }

    private Mono<ByteBuffer> chunk(long blobId, int seq) {
        return db.query("SELECT data FROM blob_chunk WHERE blob_id = $1 AND seq = $2",
                row -> Database.required(row, "data", ByteBuffer.class), blobId, seq).single();
    }

    @Override
    public Mono<Map<Long, ByteBuffer>> heads(Map<Long, Integer> lengths) {
        Objects.requireNonNull(lengths, "lengths");
        if (lengths.isEmpty()) {
            return Mono.just(Map.of());
        }
        Long[] blobs = new Long[lengths.size()];
        Integer[] wanted = new Integer[lengths.size()];
        int i = 0;
        for (Map.Entry<Long, Integer> entry : lengths.entrySet()) {
            if (entry.getValue() <= 0) {
                return Mono.error(new IllegalArgumentException("a head length must be positive: " + entry));
            }
            blobs[i] = entry.getKey();
            wanted[i++] = entry.getValue();
        }
        // One query for all: substring of the first chunk when it is long enough (substring(bytea) counts octets).
        return db.query("SELECT w.blob_id, substring(c.data FROM 1 FOR w.length) AS head"
                                + " FROM unnest($1::bigint[], $2::int[]) AS w(blob_id, length)"
                                + " JOIN blob_chunk c ON c.blob_id = w.blob_id AND c.seq = 0"
                                + " WHERE octet_length(c.data) >= w.length",
                        row -> Map.entry(Database.required(row, "blob_id", Long.class),
                                Database.required(row, "head", ByteBuffer.class)), blobs, wanted)
                .collect(HashMap<Long, ByteBuffer>::new, (map, entry) -> map.put(entry.getKey(), entry.getValue()))
                .map(Map::copyOf);
    }

    private record FirstChunk(long chunks, @Nullable ByteBuffer data) { }

    @Override
    public Mono<Void> expunge(long accountId, long mailboxId, Collection<Long> uids) {
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

    @Override
    public Mono<Boolean> lease(long accountId, long mailboxId, String owner, Duration duration) {
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

    @Override
    public Mono<Void> release(long accountId, long mailboxId, String owner) {
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

    static Mailbox mailbox(Readable row) {
        return new Mailbox(Database.required(row, "id", Long.class),
                Database.required(row, "account_id", Long.class),
                Database.required(row, "name", String.class),
                Database.required(row, "uidvalidity", Long.class),
                Database.required(row, "uid_next", Long.class),
                Database.required(row, "highest_modseq", Long.class));
    }

    static MessageMeta message(Readable row) {
        String[] flags = Database.required(row, "flags", String[].class);
        return new MessageMeta(Database.required(row, "account_id", Long.class),
                Database.required(row, "mailbox_id", Long.class),
                Database.required(row, "uid", Long.class),
                Database.required(row, "modseq", Long.class),
                Database.required(row, "blob_id", Long.class),
                Database.required(row, "size", Long.class),
                Database.required(row, "internal_date", Instant.class),
                Set.copyOf(List.of(flags)));
    }
}
