package dev.hato.store.pg;

import dev.hato.store.Delivery;
import dev.hato.store.DeliveryReceipt;
import dev.hato.store.DirectoryException;
import dev.hato.store.MessageContent;
import dev.hato.store.MessageMeta;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Statement;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Writes one batch of deliveries in one transaction on one connection (ARCHITECTURE.md, "the hot path"):
 * blobs ({@code ON CONFLICT DO NOTHING}), one UID reservation per mailbox, all message and change rows in one
 * statement, one NOTIFY per mailbox, one commit.
 *
 * <p>Locks are taken in one global order — blobs by (is large, SHA-256), then mailboxes by id — so that batches on
 * different gateway nodes never deadlock: a blob insert waits for a concurrent insert of the same SHA-256 to
 * commit, and a mailbox row stays locked until the end of the transaction.
 */
final class BatchWriter {

    /** What became of one delivery of a batch whose transaction committed (or never started). */
    sealed interface Outcome permits Stored, Rejected { }

    record Stored(DeliveryReceipt receipt) implements Outcome { }

    /** This delivery alone failed (unknown account, unreadable content); the others of its batch are unaffected. */
    record Rejected(Throwable error) implements Outcome { }

    private static final HexFormat HEX = HexFormat.of();

    private static final String INBOXES = "SELECT account_id, id FROM mailbox"
            + " WHERE account_id = ANY($1) AND name = 'INBOX'";

    // All small blobs of a batch in one statement, inserted in SHA-256 order (the lock order). The single chunk is
    // written only for blob rows that are new; the statement returns those, the others already existed.
    // Hashes and bytes travel as hex text: r2dbc-postgresql sends bytea as hex text anyway, and mangles bytea
    // arrays (1.1.1).
    private static final String INSERT_SMALL_BLOBS = "WITH input AS ("
            + "  SELECT decode(sha256, 'hex') AS sha256, size, decode(data, 'hex') AS data"
            + "  FROM unnest($1::text[], $2::bigint[], $3::text[]) AS i (sha256, size, data)),"
            + " b AS ("
            + "  INSERT INTO blob (sha256, size) SELECT sha256, size FROM input ORDER BY sha256"
            + "  ON CONFLICT (sha256) DO NOTHING RETURNING id, sha256),"
            + " c AS ("
            + "  INSERT INTO blob_chunk (blob_id, seq, data)"
            + "  SELECT b.id, 0, input.data FROM b JOIN input ON input.sha256 = b.sha256 WHERE input.size > 0)"
            + " SELECT id, sha256 FROM b";

    private static final String INSERT_BLOB = "INSERT INTO blob (sha256, size) VALUES ($1, $2)"
            + " ON CONFLICT (sha256) DO NOTHING RETURNING id";

    private static final String INSERT_CHUNK = "INSERT INTO blob_chunk (blob_id, seq, data) VALUES ($1, $2, $3)";

    // Read after an insert found a conflict: by then the conflicting transaction has committed, and a new
    // statement (READ COMMITTED) sees its row.
    private static final String EXISTING_BLOBS = "SELECT id, sha256 FROM blob"
            + " WHERE sha256 IN (SELECT decode(h, 'hex') FROM unnest($1::text[]) AS h)";

    // ORDER BY under FOR UPDATE locks the rows in mailbox id order (the sort runs before the row locks), the same
    // order on every node, so two batches never wait for each other in a cycle.
    private static final String LOCK_MAILBOXES = "SELECT m.id FROM mailbox m"
            + " JOIN unnest($1::bigint[], $2::bigint[]) AS v (account_id, id)"
            + " ON m.account_id = v.account_id AND m.id = v.id ORDER BY m.id FOR UPDATE OF m";

    private static final String RESERVE_UIDS = "UPDATE mailbox m SET uid_next = m.uid_next + v.n,"
            + " highest_modseq = m.highest_modseq + 1"
            + " FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS v (account_id, id, n)"
            + " WHERE m.account_id = v.account_id AND m.id = v.id"
            + " RETURNING m.id, m.uid_next, m.highest_modseq";

    private static final String INSERT_MESSAGES = "WITH m AS ("
            + "  INSERT INTO message (account_id, mailbox_id, uid, modseq, blob_id, size, internal_date)"
            + "  SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[],"
            + "                       $6::bigint[], $7::timestamptz[])"
            + "  RETURNING account_id, mailbox_id, uid, modseq)"
            + " INSERT INTO change (account_id, mailbox_id, modseq, uid, kind)"
            + " SELECT account_id, mailbox_id, modseq, uid, 'append' FROM m";

    private static final String NOTIFY = "SELECT pg_notify('" + PgMessageStore.CHANNEL + "', m || ':' || s)"
            + " FROM unnest($1::bigint[], $2::bigint[]) AS n (m, s)";

    private final Database db;

    BatchWriter(Database db) {
        this.db = db;
    }

    /**
     * Outcomes in the order of {@code deliveries}. Errors only when the transaction failed; then it rolled back and
     * none of the deliveries that had not been rejected before it is stored.
     */
    Mono<List<Outcome>> write(List<Delivery> deliveries) {
        return Mono.usingWhen(db.connections().create(),
                connection -> new Batch(connection, deliveries).write(),
                Connection::close,
                (connection, error) -> connection.close(),
                Connection::close);
    }

    /** The state of one batch while it is written; confined to the reactive chain that writes it. */
    private static final class Batch {
        private final Connection connection;
        private final List<Delivery> deliveries;
        private final List<List<Long>> recipients = new ArrayList<>();
        private final Outcome[] outcomes;
        private final Map<Long, Long> inboxes = new HashMap<>();
        /** Blobs of the deliveries still in the batch, in lock order. */
        private final TreeMap<String, PendingBlob> blobs = new TreeMap<>();

        Batch(Connection connection, List<Delivery> deliveries) {
            this.connection = connection;
            this.deliveries = deliveries;
            this.outcomes = new Outcome[deliveries.size()];
            for (Delivery delivery : deliveries) {
                recipients.add(List.copyOf(new LinkedHashSet<>(delivery.accountIds())));
            }
        }

        Mono<List<Outcome>> write() {
            long[] t = {System.nanoTime()};
            java.util.function.Consumer<String> lap = name -> { long now = System.nanoTime(); System.out.printf("%s %.1fms%n", name, (now - t[0]) / 1e6); t[0] = now; };
            return findInboxes().doOnTerminate(() -> lap.accept("inboxes"))
                    .then(Mono.defer(this::readSmallBlobs)).doOnTerminate(() -> lap.accept("read"))
                    .then(Mono.defer(() -> {
                        if (remaining().isEmpty()) {
                            return Mono.empty(); // nothing left to write: no transaction at all
                        }
                        return Mono.from(connection.beginTransaction())
                                .then(Mono.defer(this::storeSmallBlobs)).doOnTerminate(() -> lap.accept("small"))
                                .then(Mono.defer(this::storeLargeBlobs))
                                .then(Mono.defer(this::reserveAndInsert)).doOnTerminate(() -> lap.accept("reserve"))
                                .then(Mono.from(connection.commitTransaction())).doOnTerminate(() -> lap.accept("commit"))
                                .onErrorResume(error -> Database.rollback(connection).then(Mono.error(error)));
                    }))
                    .then(Mono.fromSupplier(() -> List.of(outcomes)));
        }

        /** Indexes of deliveries neither rejected nor stored yet. */
        private List<Integer> remaining() {
            List<Integer> indexes = new ArrayList<>();
            for (int i = 0; i < outcomes.length; i++) {
                if (outcomes[i] == null) {
                    indexes.add(i);
                }
            }
            return indexes;
        }

        // Before the transaction, so a delivery to an unknown account fails alone instead of failing its batch.
        private Mono<Void> findInboxes() {
            Set<Long> accounts = new TreeSet<>();
            recipients.forEach(accounts::addAll);
            return Database.rows(Database.statement(connection, INBOXES, (Object) accounts.toArray(Long[]::new)),
                            row -> Map.entry(Database.required(row, "account_id", Long.class),
                                    Database.required(row, "id", Long.class)))
                    .doOnNext(entry -> inboxes.put(entry.getKey(), entry.getValue()))
                    .then(Mono.fromRunnable(() -> {
                        for (int i = 0; i < outcomes.length; i++) {
                            List<Long> unknown = recipients.get(i).stream().filter(a -> !inboxes.containsKey(a)).toList();
                            if (!unknown.isEmpty()) {
                                outcomes[i] = new Rejected(new DirectoryException(
                                        DirectoryException.Reason.UNKNOWN_ACCOUNT, "no account with ID " + unknown));
                            }
                        }
                        for (int i : remaining()) {
                            MessageContent content = deliveries.get(i).content();
                            blobs.computeIfAbsent(key(content), key -> new PendingBlob(content)).deliveries().add(i);
                        }
                    }));
        }

        // Also before the transaction: reading a sender's spool must not hold locks. A small message is one chunk,
        // so holding it is holding one chunk.
        private Mono<Void> readSmallBlobs() {
            return Flux.fromIterable(List.copyOf(blobs.values()))
                    .filter(PendingBlob::small)
                    .concatMap(blob -> readWhole(blob.content())
                            .doOnNext(blob::bytes)
                            .onErrorResume(error -> {
                                reject(blob, error);
                                return Mono.empty();
                            }))
                    .then();
        }

        private static Mono<ByteBuffer> readWhole(MessageContent content) {
            return Mono.defer(() -> {
                ByteBuffer whole = ByteBuffer.allocate(Math.toIntExact(content.size()));
                var verifier = new Chunks.Verifier(content.sha256(), content.size());
                return content.chunks()
                        .doOnNext(chunk -> {
                            verifier.update(chunk);
                            whole.put(chunk.duplicate());
                        })
                        .then(Mono.fromSupplier(() -> {
                            verifier.verify();
                            return whole.flip();
                        }));
            });
        }

        private void reject(PendingBlob blob, Throwable error) {
            for (int i : blob.deliveries()) {
                outcomes[i] = new Rejected(error);
            }
            blobs.values().remove(blob);
        }

        private Mono<Void> storeSmallBlobs() {
            List<PendingBlob> small = blobs.values().stream().filter(PendingBlob::small).toList();
            if (small.isEmpty()) {
                return Mono.empty();
            }
            String[] hashes = new String[small.size()];
            Long[] sizes = new Long[small.size()];
            String[] data = new String[small.size()];
            for (int i = 0; i < small.size(); i++) {
                hashes[i] = HEX.formatHex(small.get(i).content().sha256());
                sizes[i] = small.get(i).content().size();
                data[i] = hex(small.get(i).takeBytes());
            }
            return assignIds(Database.statement(connection, INSERT_SMALL_BLOBS, hashes, sizes, data))
                    .then(Mono.defer(() -> {
                        List<PendingBlob> existing = small.stream().filter(blob -> !blob.stored()).toList();
                        if (existing.isEmpty()) {
                            return Mono.empty();
                        }
                        return assignIds(Database.statement(connection, EXISTING_BLOBS, (Object) existing.stream()
                                .map(blob -> HEX.formatHex(blob.content().sha256())).toArray(String[]::new)));
                    }))
                    .then(Mono.fromRunnable(() -> small.forEach(PendingBlob::id)));
        }

        private static String hex(ByteBuffer bytes) {
            if (bytes.hasArray()) {
                return HEX.formatHex(bytes.array(), bytes.arrayOffset() + bytes.position(),
                        bytes.arrayOffset() + bytes.limit());
            }
            byte[] copy = new byte[bytes.remaining()];
            bytes.duplicate().get(copy);
            return HEX.formatHex(copy);
        }

        /** Gives each blob whose SHA-256 the statement returns the id returned with it. */
        private Mono<Void> assignIds(Statement statement) {
            return Database.rows(statement, row -> {
                ByteBuffer sha256 = Database.required(row, "sha256", ByteBuffer.class);
                byte[] bytes = new byte[sha256.remaining()];
                sha256.get(bytes);
                blobs.get(key(true, bytes)).id(Database.required(row, "id", Long.class));
                return bytes;
            }).then();
        }

        // Large messages, one after the other and chunk by chunk: one chunk in memory, whatever the size.
        private Mono<Void> storeLargeBlobs() {
            return Flux.fromIterable(blobs.values().stream().filter(blob -> !blob.small()).toList())
                    .concatMap(blob -> Database.rows(Database.statement(connection, INSERT_BLOB,
                                            ByteBuffer.wrap(blob.content().sha256()), blob.content().size()),
                                    row -> Database.required(row, "id", Long.class))
                            .singleOrEmpty()
                            .flatMap(id -> insertChunks(id, blob.content()).thenReturn(id))
                            .switchIfEmpty(Mono.defer(() -> Database.rows(Database.statement(connection,
                                            EXISTING_BLOBS, (Object) new String[] {HEX.formatHex(blob.content().sha256())}),
                                    row -> Database.required(row, "id", Long.class)).single()))
                            .doOnNext(blob::id))
                    .then();
        }

        private Mono<Void> insertChunks(long blobId, MessageContent content) {
            return Mono.defer(() -> {
                var verifier = new Chunks.Verifier(content.sha256(), content.size());
                var seq = new int[1];
                return Chunks.rechunk(content.chunks(), Chunks.SIZE)
                        .concatMap(chunk -> {
                            verifier.update(chunk);
                            return Database.rowsUpdated(Database.statement(connection, INSERT_CHUNK, blobId, seq[0]++,
                                    chunk));
                        }, 0)
                        .then(Mono.fromRunnable(verifier::verify));
            });
        }

        private Mono<Void> reserveAndInsert() {
            List<Integer> ready = remaining();
            // The mailboxes that receive something, in id order: the order their rows are locked in.
            TreeMap<Long, Reservation> reservations = new TreeMap<>();
            for (int i : ready) {
                for (long account : recipients.get(i)) {
                    reservations.computeIfAbsent(inboxes.get(account), id -> new Reservation(account)).count++;
                }
            }
            Long[] accountIds = reservations.values().stream().map(r -> r.accountId).toArray(Long[]::new);
            Long[] mailboxIds = reservations.keySet().toArray(Long[]::new);
            Long[] counts = reservations.values().stream().map(r -> (long) r.count).toArray(Long[]::new);
            return Database.rowsUpdated(Database.statement(connection, LOCK_MAILBOXES, accountIds, mailboxIds))
                    .thenMany(Database.rows(Database.statement(connection, RESERVE_UIDS, accountIds, mailboxIds, counts),
                            row -> {
                                Reservation reservation = reservations.get(Database.required(row, "id", Long.class));
                                // uid_next moved up by count: the reserved UIDs are the count just below it.
                                reservation.nextUid = Database.required(row, "uid_next", Long.class) - reservation.count;
                                reservation.modseq = Database.required(row, "highest_modseq", Long.class);
                                return reservation;
                            }))
                    .count()
                    .flatMap(reserved -> {
                        if (reserved != reservations.size()) {
                            // An account was removed after findInboxes; the batch fails and its senders retry.
                            return Mono.error(new IllegalStateException(
                                    "a recipient's INBOX was removed during delivery"));
                        }
                        return insertMessages(ready, reservations);
                    });
        }

        private Mono<Void> insertMessages(List<Integer> ready, TreeMap<Long, Reservation> reservations) {
            int rows = ready.stream().mapToInt(i -> recipients.get(i).size()).sum();
            Long[] accountIds = new Long[rows];
            Long[] mailboxIds = new Long[rows];
            Long[] uids = new Long[rows];
            Long[] modseqs = new Long[rows];
            Long[] blobIds = new Long[rows];
            Long[] sizes = new Long[rows];
            Instant[] dates = new Instant[rows];
            Map<Integer, DeliveryReceipt> receipts = new HashMap<>();
            int row = 0;
            // Batch order is arrival order, so a mailbox's UIDs follow the order its deliveries came in.
            for (int i : ready) {
                Delivery delivery = deliveries.get(i);
                long blobId = blobOf(delivery.content()).id();
                long size = delivery.content().size();
                // PostgreSQL keeps microseconds; the receipt says what a later read returns.
                Instant date = delivery.internalDate().truncatedTo(ChronoUnit.MICROS);
                List<MessageMeta> stored = new ArrayList<>();
                for (long account : recipients.get(i)) {
                    long mailboxId = inboxes.get(account);
                    Reservation reservation = reservations.get(mailboxId);
                    long uid = reservation.nextUid++;
                    accountIds[row] = account;
                    mailboxIds[row] = mailboxId;
                    uids[row] = uid;
                    modseqs[row] = reservation.modseq;
                    blobIds[row] = blobId;
                    sizes[row] = size;
                    dates[row] = date;
                    row++;
                    stored.add(new MessageMeta(account, mailboxId, uid, reservation.modseq, blobId, size, date,
                            Set.of()));
                }
                receipts.put(i, new DeliveryReceipt(blobId, List.copyOf(stored)));
            }
            Long[] notifyMailboxes = reservations.keySet().toArray(Long[]::new);
            Long[] notifyModseqs = reservations.values().stream().map(r -> r.modseq).toArray(Long[]::new);
            return Database.rowsUpdated(Database.statement(connection, INSERT_MESSAGES,
                            accountIds, mailboxIds, uids, modseqs, blobIds, sizes, dates))
                    // Queued by PostgreSQL and delivered to listeners only when the transaction commits.
                    .then(Database.rowsUpdated(Database.statement(connection, NOTIFY, notifyMailboxes, notifyModseqs)))
                    .then(Mono.fromRunnable(() -> receipts.forEach((i, receipt) -> outcomes[i] = new Stored(receipt))));
        }

        private PendingBlob blobOf(MessageContent content) {
            return blobs.get(key(content));
        }

        /**
         * Small blobs sort before large ones, then by SHA-256: the order their rows are locked in. (A SHA-256 has
         * one size, so it is always on the same side.)
         */
        private static String key(MessageContent content) {
            return key(content.size() <= Chunks.SIZE, content.sha256());
        }

        private static String key(boolean small, byte[] sha256) {
            return (small ? "0" : "1") + HEX.formatHex(sha256);
        }
    }

    /** The UIDs and modseq one mailbox gets in a batch. */
    private static final class Reservation {
        final long accountId;
        int count;
        long nextUid;
        long modseq;

        Reservation(long accountId) {
            this.accountId = accountId;
        }
    }

    /** One distinct blob of a batch and the deliveries (by index) that carry it. */
    private static final class PendingBlob {
        private final MessageContent content;
        private final List<Integer> deliveries = new ArrayList<>();
        private @Nullable ByteBuffer bytes;
        private long id = -1;

        PendingBlob(MessageContent content) {
            this.content = content;
        }

        MessageContent content() {
            return content;
        }

        List<Integer> deliveries() {
            return deliveries;
        }

        boolean small() {
            return content.size() <= Chunks.SIZE;
        }

        void bytes(ByteBuffer bytes) {
            this.bytes = bytes;
        }

        /** The bytes of a small blob, released once bound so they are not kept for the rest of the batch. */
        ByteBuffer takeBytes() {
            ByteBuffer taken = bytes;
            if (taken == null) {
                throw new IllegalStateException("blob bytes not read, or already bound");
            }
            bytes = null;
            return taken;
        }

        boolean stored() {
            return id >= 0;
        }

        long id() {
            if (id < 0) {
                throw new IllegalStateException("blob not stored yet");
            }
            return id;
        }

        void id(long id) {
            this.id = id;
        }
    }
}
