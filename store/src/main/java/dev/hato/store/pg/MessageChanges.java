package dev.hato.store.pg;

import dev.hato.store.mail.MailboxException.Reason;
import dev.hato.store.mail.MailboxException;
import dev.hato.store.mail.Mailboxes.AppendResult;
import dev.hato.store.mail.Mailboxes.CopyResult;
import dev.hato.store.mail.Mailboxes.FlagMode;
import dev.hato.store.mail.Mailboxes.FlagUpdate;
import dev.hato.store.mail.Mailboxes.NewMessage;
import dev.hato.store.mail.MessageContent;
import dev.hato.store.mail.MessageFacts;
import dev.hato.store.mail.MessageMeta;
import io.r2dbc.spi.Connection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Changes to the messages of a mailbox on PostgreSQL: flags (IMAP STORE), COPY and MOVE, and APPEND. Each takes a
 * new modseq of the mailbox it changes (raising {@code highest_modseq} locks the row), records the change in
 * {@code change} and NOTIFYs the change feed, all in one transaction; work on many messages is one statement per
 * step, whatever their number.
 */
final class MessageChanges {

    private static final String NOTIFY = "SELECT pg_notify('" + PgMessages.CHANNEL + "', $1)";

    private static final String RAISE_MODSEQ = "UPDATE mailbox SET highest_modseq = highest_modseq + 1"
            + " WHERE account_id = $1 AND id = $2 RETURNING highest_modseq";

    private static final String RESERVE_UIDS = "UPDATE mailbox SET uid_next = uid_next + $3,"
            + " highest_modseq = highest_modseq + 1"
            + " WHERE account_id = $1 AND id = $2 RETURNING uid_next - $3 AS first_uid, highest_modseq, uidvalidity";

    // Flags compare case-insensitively (RFC 3501 §2.3.2): a flag is added only when no spelling of it is there,
    // removed in every spelling. $4 is already canonical and free of case-duplicates.
    private static final String REPLACE_FLAGS = "$4::text[]";

    private static final String ADD_FLAGS = "g.flags || ARRAY(SELECT f FROM unnest($4::text[]) AS f"
            + " WHERE lower(f) <> ALL (SELECT lower(x) FROM unnest(g.flags) AS x))";

    private static final String REMOVE_FLAGS = "ARRAY(SELECT x FROM unnest(g.flags) WITH ORDINALITY AS o (x, i)"
            + " WHERE lower(x) <> ALL (SELECT lower(f) FROM unnest($4::text[]) AS f) ORDER BY i)";

    // Only messages whose flag set really changes get the new modseq (RFC 7162 §3.1.3: a STORE that changes
    // nothing does not change the mod-sequence); with UNCHANGEDSINCE ($6), only messages not modified since.
    // One scan of the mailbox's primary key range, no join: the new flags (%1$s) are computed in the row.
    private static final String STORE_FLAGS = "WITH u AS (UPDATE message g SET flags = %1$s, modseq = $5"
            + "  WHERE g.account_id = $1 AND g.mailbox_id = $2 AND g.uid = ANY($3::bigint[])"
            + "  AND ($6::bigint IS NULL OR g.modseq <= $6::bigint)"
            + "  AND ARRAY(SELECT lower(x) FROM unnest(g.flags) AS x ORDER BY 1)"
            + "   <> ARRAY(SELECT lower(x) FROM unnest(%1$s) AS x ORDER BY 1)"
            + "  RETURNING g." + PgMessages.MESSAGE_COLUMNS.replace(", ", ", g.") + "),"
            + " c AS (INSERT INTO change (account_id, mailbox_id, modseq, uid, kind)"
            + "  SELECT $1, $2, $5, uid, 'flags' FROM u)"
            + " SELECT " + PgMessages.MESSAGE_COLUMNS + " FROM u";

    private static final String MODIFIED_SINCE = "SELECT uid FROM message"
            + " WHERE account_id = $1 AND mailbox_id = $2 AND uid = ANY($3::bigint[]) AND modseq > $4 ORDER BY uid";

    private static final String SELECTED = "SELECT count(*) AS messages, coalesce(sum(size), 0)::bigint AS octets"
            + " FROM message WHERE account_id = $1 AND mailbox_id = $2 AND uid = ANY($3::bigint[])";

    private static final String LOCK_MAILBOXES = "SELECT id, uidvalidity FROM mailbox"
            + " WHERE account_id = $1 AND id = ANY($2::bigint[]) ORDER BY id FOR NO KEY UPDATE";

    // RFC 4315 COPYUID: the copies get consecutive UIDs in source UID order, starting at $5.
    // RFC 8474 §5.1: a copy keeps the EMAILID of its source, the origin it was first stored with (V10).
    private static final String COPY_MESSAGES = "WITH s AS (SELECT uid, blob_id, size, internal_date, flags,"
            + "  coalesce(origin_mailbox_id, mailbox_id) AS origin_mailbox_id, coalesce(origin_uid, uid) AS origin_uid,"
            + "  row_number() OVER (ORDER BY uid) - 1 AS n FROM message"
            + "  WHERE account_id = $1 AND mailbox_id = $2 AND uid = ANY($3::bigint[])),"
            + " i AS (INSERT INTO message (account_id, mailbox_id, uid, modseq, blob_id, size, internal_date, flags,"
            + "   origin_mailbox_id, origin_uid)"
            + "  SELECT $1, $4, $5 + n, $6, blob_id, size, internal_date, flags, origin_mailbox_id, origin_uid FROM s"
            + "  RETURNING uid),"
            + " c AS (INSERT INTO change (account_id, mailbox_id, modseq, uid, kind)"
            + "  SELECT $1, $4, $6, uid, 'append' FROM i)"
            + " SELECT uid AS source_uid, $5 + n AS target_uid FROM s ORDER BY uid";

    private static final String EXPUNGE = "WITH gone AS (DELETE FROM message"
            + "  WHERE account_id = $1 AND mailbox_id = $2 AND uid = ANY($3::bigint[]) RETURNING uid)"
            + " INSERT INTO change (account_id, mailbox_id, modseq, uid, kind)"
            + " SELECT $1, $2, $4, uid, 'expunge' FROM gone";

    // RFC 3502 / RFC 4315: the messages of one APPEND get consecutive UIDs from $3 in the order given (ordinality n).
    // Flags travel as one space-separated text per message (unnest cannot take ragged arrays; a flag is an atom,
    // which holds no space).
    /** RFC 3501 §2.3.1.1: UIDs are non-zero 32-bit numbers. */
    private static final long MAX_UID = 4294967295L;

    /** Migration (issue 17): UIDs as the old server gave them, the first at least uid_next. */
    private static final String RESERVE_GIVEN_UIDS = "UPDATE mailbox SET uid_next = $4 + 1,"
            + " highest_modseq = highest_modseq + 1"
            + " WHERE account_id = $1 AND id = $2 AND uid_next <= $3 RETURNING highest_modseq, uidvalidity";

    private static final String APPEND_GIVEN_UIDS = "WITH m AS (INSERT INTO message"
            + "  (account_id, mailbox_id, uid, modseq, blob_id, size, internal_date, flags)"
            + "  SELECT $1, $2, v.uid, $3, v.blob_id, v.size, v.internal_date, string_to_array(v.flags, ' ')"
            + "  FROM unnest($4::bigint[], $5::bigint[], $6::bigint[], $7::timestamptz[], $8::text[])"
            + "   AS v (uid, blob_id, size, internal_date, flags) RETURNING uid)"
            + " INSERT INTO change (account_id, mailbox_id, modseq, uid, kind) SELECT $1, $2, $3, uid, 'append'"
            + " FROM m CROSS JOIN (SELECT pg_notify('" + PgMessages.CHANNEL + "', $9)) AS n";

    private static final String APPEND = "WITH m AS (INSERT INTO message"
            + "  (account_id, mailbox_id, uid, modseq, blob_id, size, internal_date, flags)"
            + "  SELECT $1, $2, $3 + v.n - 1, $4, v.blob_id, v.size, v.internal_date, string_to_array(v.flags, ' ')"
            + "  FROM unnest($5::bigint[], $6::bigint[], $7::timestamptz[], $8::text[])"
            + "   WITH ORDINALITY AS v (blob_id, size, internal_date, flags, n) RETURNING uid)"
            + " INSERT INTO change (account_id, mailbox_id, modseq, uid, kind) SELECT $1, $2, $4, uid, 'append'"
            // the change feed's NOTIFY in the same statement (one round trip less); sent at commit, as any NOTIFY
            + " FROM m CROSS JOIN (SELECT pg_notify('" + PgMessages.CHANNEL + "', $9)) AS n";

    /**
     * The octets of small messages an APPEND holds in memory while it commits (four chunks); the others of a
     * multiple APPEND are copied from their spools chunk by chunk.
     */
    private static final long APPEND_MEMORY = 4L * Chunks.SIZE;

    private final Database db;
    private final Quotas quotas;

    MessageChanges(Database db, Quotas quotas) {
        this.db = db;
        this.quotas = quotas;
    }

    Mono<FlagUpdate> store(long accountId, long mailboxId, Collection<Long> uids, FlagMode mode,
                                  Set<String> flags, @Nullable Long unchangedSince) {
        Objects.requireNonNull(uids, "uids");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(flags, "flags");
        return Mono.defer(() -> {
            String[] stored = Flags.canonical(flags);
            Long[] wanted = uids.toArray(Long[]::new);
            if (wanted.length == 0) {
                return Mono.just(new FlagUpdate(List.of(), List.of()));
            }
            String next = switch (mode) {
                case REPLACE -> REPLACE_FLAGS;
                case ADD -> ADD_FLAGS;
                case REMOVE -> REMOVE_FLAGS;
            };
            AtomicReference<List<Long>> refused = new AtomicReference<>(List.of());
            return db.inTransaction(connection -> raiseModseq(connection, accountId, mailboxId)
                            .flatMap(modseq -> (unchangedSince == null ? Mono.just(List.<Long>of())
                                    : Database.rows(Database.statement(connection, MODIFIED_SINCE, accountId,
                                                    mailboxId, wanted, unchangedSince),
                                            row -> Database.required(row, "uid", Long.class)).collectList())
                                    .doOnNext(refused::set)
                                    .then(Database.rows(Database.statement(connection, STORE_FLAGS.formatted(next),
                                                    accountId, mailboxId, wanted, stored, modseq,
                                                    Database.nullable(unchangedSince, Long.class)),
                                            PgMessages::message).collectList())
                                    .flatMap(changed -> changed.isEmpty()
                                            // Nothing changed: roll back, so that no modseq is spent.
                                            ? Mono.error(new NothingChanged())
                                            : notify(connection, mailboxId, modseq).thenReturn(changed))))
                    .single()
                    .map(changed -> {
                        List<MessageMeta> sorted = new ArrayList<>(changed);
                        sorted.sort(Comparator.comparingLong(MessageMeta::uid));
                        return new FlagUpdate(sorted, refused.get());
                    })
                    .onErrorResume(NothingChanged.class, ignored -> Mono.just(new FlagUpdate(List.of(),
                            refused.get())));
        });
    }

    Mono<CopyResult> copy(long accountId, long sourceMailboxId, Collection<Long> uids, long targetMailboxId,
                                 boolean move) {
        Objects.requireNonNull(uids, "uids");
        Long[] wanted = new TreeSet<>(uids).toArray(Long[]::new);
        return db.inTransaction(connection -> copyIn(connection, accountId, sourceMailboxId, wanted,
                        targetMailboxId, move))
                .single()
                .onErrorMap(MailboxErrors::translate);
    }

    /**
     * Copies (and with {@code move} expunges) the existing ones of {@code uids}: locks the account (quota), both
     * mailboxes by id, reserves the target's UIDs, then copies in one statement.
     */
    static Mono<CopyResult> copyIn(Connection connection, long accountId, long sourceId, Long[] uids,
                                    long targetId, boolean move) {
        return Database.rows(Database.statement(connection, Quotas.LOCK_ACCOUNT, accountId), Quotas::limits)
                .singleOrEmpty()
                .switchIfEmpty(Mono.error(() -> new MailboxException(Reason.NONEXISTENT, "no account " + accountId)))
                .flatMap(limits -> Database.rows(Database.statement(connection, LOCK_MAILBOXES, accountId,
                                        new Long[] {sourceId, targetId}),
                                row -> new long[] {Database.required(row, "id", Long.class),
                                        Database.required(row, "uidvalidity", Long.class)})
                        .collectList()
                        .flatMap(locked -> {
                            long targetValidity = -1;
                            boolean sourceFound = false;
                            for (long[] box : locked) {
                                sourceFound |= box[0] == sourceId;
                                if (box[0] == targetId) {
                                    targetValidity = box[1];
                                }
                            }
                            if (!sourceFound) {
                                return MailboxErrors.nonexistent(sourceId);
                            }
                            if (targetValidity < 0) {
                                return MailboxErrors.nonexistent(targetId);
                            }
                            long uidValidity = targetValidity;
                            return Database.rows(Database.statement(connection, SELECTED, accountId, sourceId, uids),
                                            Quotas::usage)
                                    .single()
                                    .flatMap(selected -> selected.messages() == 0
                                            ? Mono.just(new CopyResult(uidValidity, List.of(), List.of()))
                                            : (move ? Mono.<Void>empty()
                                                    : Quotas.checkQuota(connection, accountId, limits, selected))
                                                    .then(copySelected(connection, accountId, sourceId, uids, targetId,
                                                            selected.messages(), uidValidity, move)));
                        }));
    }

    private static Mono<CopyResult> copySelected(Connection connection, long accountId, long sourceId, Long[] uids,
                                                 long targetId, long count, long uidValidity, boolean move) {
        return reserve(connection, accountId, targetId, count)
                .flatMap(reserved -> Database.rows(Database.statement(connection, COPY_MESSAGES, accountId,
                                        sourceId, uids, targetId, reserved.firstUid(), reserved.modseq()),
                                row -> new long[] {Database.required(row, "source_uid", Long.class),
                                        Database.required(row, "target_uid", Long.class)})
                        .collectList()
                        .flatMap(pairs -> {
                            CopyResult result = new CopyResult(uidValidity,
                                    pairs.stream().map(pair -> pair[0]).toList(),
                                    pairs.stream().map(pair -> pair[1]).toList());
                            Mono<Void> notifyTarget = notify(connection, targetId, reserved.modseq());
                            if (!move) {
                                return notifyTarget.thenReturn(result);
                            }
                            // RFC 6851 §3.3: the originals are expunged in the same transaction, at a modseq of
                            // the source (a second one when source and target are the same mailbox).
                            return notifyTarget
                                    .then(raiseModseq(connection, accountId, sourceId))
                                    .flatMap(modseq -> Database.rowsUpdated(Database.statement(connection, EXPUNGE,
                                                    accountId, sourceId, result.sourceUids().toArray(Long[]::new),
                                                    modseq))
                                            .then(notify(connection, sourceId, modseq)))
                                    .thenReturn(result);
                        }));
    }

    Mono<AppendResult> append(long accountId, long mailboxId, MessageContent content, MessageFacts facts,
                                     Set<String> flags, Instant internalDate) {
        Objects.requireNonNull(flags, "flags");
        return append(accountId, mailboxId, List.of(new NewMessage(content, facts, flags, internalDate)))
                .map(results -> results.get(0));
    }

    /**
     * All of {@code messages} in one transaction (RFC 3502: all or none): their blobs, one quota check for all of
     * them under the account lock, one UID reservation, and one statement for the message and change rows.
     */
    Mono<List<AppendResult>> append(long accountId, long mailboxId, List<NewMessage> messages) {
        return append(accountId, mailboxId, messages, null, null);
    }

    /** A migration's copy has fetched the old server's UIDs below $3 into the mailbox (table legacy_copied). */
    static final String MARK_COPIED = "INSERT INTO legacy_copied (account_id, mailbox_id, uid_next) VALUES ($1, $2, $3)"
            + " ON CONFLICT (account_id, mailbox_id) DO UPDATE SET uid_next = greatest(legacy_copied.uid_next,"
            + " excluded.uid_next)";

    /**
     * {@link #append(long, long, List)}, with the UIDs the old server gave ({@code uids}, ascending, the first at
     * least uid_next), or with UIDs reserved here ({@code uids} null); with {@code copiedMark}, a migration's copy
     * marks the old UIDs below it fetched, in the same transaction.
     */
    Mono<List<AppendResult>> append(long accountId, long mailboxId, List<NewMessage> messages,
                                    @Nullable List<Long> uids, @Nullable Long copiedMark) {
        Objects.requireNonNull(messages, "messages");
        if (messages.isEmpty()) {
            return Mono.error(new IllegalArgumentException("an APPEND stores at least one message"));
        }
        if (uids != null) {
            if (uids.size() != messages.size()) {
                return Mono.error(new IllegalArgumentException("one UID per message"));
            }
            for (int i = 0; i < uids.size(); i++) {
                if (uids.get(i) < 1 || uids.get(i) > MAX_UID || (i > 0 && uids.get(i) <= uids.get(i - 1))) {
                    return Mono.error(new IllegalArgumentException("UIDs are ascending 32-bit numbers: " + uids));
                }
            }
        }
        return Mono.defer(() -> {
            int count = messages.size();
            Long[] sizes = new Long[count];
            Instant[] dates = new Instant[count];
            String[] flags = new String[count];
            long octets = 0;
            // What one message in memory would cost, however many messages this APPEND carries (RFC 3502).
            BlobBatch blobs = new BlobBatch(APPEND_MEMORY);
            for (int i = 0; i < count; i++) {
                NewMessage message = messages.get(i);
                sizes[i] = message.content().size();
                dates[i] = message.internalDate().truncatedTo(ChronoUnit.MICROS); // what PostgreSQL keeps
                flags[i] = String.join(" ", Flags.canonical(message.flags()));
                octets += message.content().size();
                blobs.add(message.content(), message.facts(), i);
            }
            Quotas.Usage adding = new Quotas.Usage(count, octets);
            AtomicReference<@Nullable Throwable> unreadable = new AtomicReference<>();
            // A first look at the quota, before any byte is written; the check that counts is the one under the
            // account lock below.
            return quotas.quotaToEnforce(accountId)
                    .flatMap(quota -> Quotas.overQuota(quota.limitOctets(), quota.limitMessages(),
                            new Quotas.Usage(quota.usedMessages(), quota.usedOctets()), adding))
                    .then(blobs.readSmall((owners, error) -> unreadable.compareAndSet(null, error)))
                    .then(Mono.defer(() -> unreadable.get() == null ? Mono.<Void>empty()
                            : Mono.error(unreadable.get())))
                    .then(db.inTransaction(connection -> blobs.store(connection)
                                    .then(Database.rows(Database.statement(connection, Quotas.LOCK_ACCOUNT, accountId),
                                            Quotas::limits).singleOrEmpty())
                                    .switchIfEmpty(Mono.error(() -> new MailboxException(Reason.NONEXISTENT,
                                            "no account " + accountId)))
                                    .flatMap(limits -> Quotas.checkQuota(connection, accountId, limits, adding))
                                    .then(uids == null ? reserve(connection, accountId, mailboxId, count)
                                            : reserveGiven(connection, accountId, mailboxId, uids))
                                    .flatMap(reserved -> {
                                        Long[] blobIds = new Long[count];
                                        List<AppendResult> results = new ArrayList<>(count);
                                        for (int i = 0; i < count; i++) {
                                            blobIds[i] = blobs.id(messages.get(i).content());
                                            results.add(new AppendResult(reserved.uidValidity(),
                                                    uids == null ? reserved.firstUid() + i : uids.get(i),
                                                    reserved.modseq()));
                                        }
                                        String event = mailboxId + ":" + reserved.modseq();
                                        return Database.rowsUpdated(uids == null
                                                        ? Database.statement(connection, APPEND, accountId,
                                                                mailboxId, reserved.firstUid(), reserved.modseq(),
                                                                blobIds, sizes, dates, flags, event)
                                                        : Database.statement(connection, APPEND_GIVEN_UIDS,
                                                                accountId, mailboxId, reserved.modseq(),
                                                                uids.toArray(Long[]::new), blobIds, sizes, dates,
                                                                flags, event))
                                                .then(copiedMark == null ? Mono.<Long>empty()
                                                        : Database.rowsUpdated(Database.statement(connection,
                                                                MARK_COPIED, accountId, mailboxId, copiedMark)))
                                                .thenReturn(List.copyOf(results));
                                    }))
                            .single());
        }).onErrorMap(MailboxErrors::translate);
    }

    static Mono<Long> raiseModseq(Connection connection, long accountId, long mailboxId) {
        return Database.rows(Database.statement(connection, RAISE_MODSEQ, accountId, mailboxId),
                        row -> Database.required(row, "highest_modseq", Long.class))
                .singleOrEmpty()
                .switchIfEmpty(MailboxErrors.nonexistent(mailboxId));
    }

    /** Reserves {@code count} UIDs and one modseq of a mailbox (which locks its row). LIMIT when UIDs run out. */
    private static Mono<Reserved> reserve(Connection connection, long accountId, long mailboxId, long count) {
        return Database.rows(Database.statement(connection, RESERVE_UIDS, accountId, mailboxId, count),
                        row -> new Reserved(Database.required(row, "first_uid", Long.class),
                                Database.required(row, "highest_modseq", Long.class),
                                Database.required(row, "uidvalidity", Long.class)))
                .singleOrEmpty()
                .switchIfEmpty(MailboxErrors.nonexistent(mailboxId));
    }

    /** Takes the given UIDs and one modseq (which locks the row); CANNOT when the first is below uid_next. */
    private static Mono<Reserved> reserveGiven(Connection connection, long accountId, long mailboxId,
                                               List<Long> uids) {
        return Database.rows(Database.statement(connection, RESERVE_GIVEN_UIDS, accountId, mailboxId, uids.get(0),
                                uids.get(uids.size() - 1)),
                        row -> new Reserved(uids.get(0), Database.required(row, "highest_modseq", Long.class),
                                Database.required(row, "uidvalidity", Long.class)))
                .singleOrEmpty()
                .switchIfEmpty(Mono.error(() -> new MailboxException(Reason.CANNOT, "UID " + uids.get(0)
                        + " is below the next UID of mailbox " + mailboxId + ", or the mailbox does not exist")));
    }

    private record Reserved(long firstUid, long modseq, long uidValidity) { }

    static Mono<Void> notify(Connection connection, long mailboxId, long modseq) {
        // Queued by PostgreSQL and delivered to listeners only when the transaction commits.
        return Database.rowsUpdated(Database.statement(connection, NOTIFY, mailboxId + ":" + modseq)).then();
    }

    /** Rolls back a STORE that changed nothing, so that it spends no modseq; never leaves this class. */
    private static final class NothingChanged extends RuntimeException {
        NothingChanged() {
            super(null, null, false, false);
        }
    }
}
