package dev.hato.store.pg;

import dev.hato.store.mail.MailboxInfo;
import dev.hato.store.mail.MailboxStatus;
import dev.hato.store.mail.KeptUids;
import dev.hato.store.mail.KeptUids.CopyMark;
import dev.hato.store.mail.Mailboxes;
import dev.hato.store.mail.MessageContent;
import dev.hato.store.mail.MessageFacts;
import dev.hato.store.mail.MessageMeta;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@link Mailboxes} on PostgreSQL. Every statement names the account first (the distribution column).
 *
 * <p>Locks are taken in one order everywhere, so concurrent writers never wait for each other in a cycle: blob rows
 * (by SHA-256, {@link BlobBatch}), then the account row (mailbox names, UIDVALIDITY and quota), then mailbox rows by
 * id. A change to a mailbox's messages starts by raising its {@code highest_modseq} (which locks the row, as
 * deliveries do), so modseqs are distinct and increase in commit order; the same transaction records the change in
 * {@code change} and NOTIFYs {@code <mailbox id>:<modseq>}, which listeners hear only after the commit. Work on many
 * messages (STORE, COPY, MOVE of 10,000 UIDs) is one statement per step, whatever the number of messages.
 *
 * <p>The work is split by what it changes: {@link MailboxTree} (names, hierarchy, subscriptions),
 * {@link MessageChanges} (flags, COPY, MOVE, APPEND), {@link Quotas}, and {@link PgMessages} (listing, expunge,
 * leases); this class answers the status and change queries IMAP sessions poll, and hands out the change feed.
 */
final class PgMailboxes implements Mailboxes, KeptUids {

    /** RFC 3501 §2.3.1.1: UIDs and UIDVALIDITY are 32-bit; uid_next may reach 2^32, then the mailbox is full. */
    static final long MAX_UID_NEXT = 1L << 32;

    // One snapshot: RFC 3501 §6.3.10 counts, RFC 8438 SIZE, RFC 7162 HIGHESTMODSEQ, and \Deleted for RFC 9051.
    // The counts the folder keeps (V16's triggers), and \Recent from the primary key: only the recent rows are read.
    /**
     * A mailbox that never held a message takes the old server's UIDVALIDITY; the account's last one is raised past
     * it, so that the name's next mailbox gets another (MailboxTree.TAKE_UIDVALIDITY counts from it).
     */
    private static final String ADOPT_UIDVALIDITY = "WITH adopted AS (UPDATE mailbox SET uidvalidity = $3"
            + "  WHERE account_id = $1 AND id = $2 AND (uidvalidity = $3 OR uid_next = 1) RETURNING id),"
            + " raised AS (UPDATE account SET last_uidvalidity = greatest(last_uidvalidity, $3)"
            + "  WHERE id = $1 AND EXISTS (SELECT 1 FROM adopted) RETURNING id)"
            + " SELECT count(*) AS adopted FROM adopted";

    private static final String STATUS = "SELECT m.uidvalidity, m.uid_next, m.highest_modseq,"
            + " m.message_count AS messages,"
            + " (SELECT count(*) FROM message g WHERE g.account_id = m.account_id AND g.mailbox_id = m.id"
            + "   AND g.uid >= m.first_recent_uid) AS recent,"
            + " m.unseen_count AS unseen, m.size_total AS size, m.deleted_count AS deleted"
            + " FROM mailbox m WHERE m.account_id = $1 AND m.id = $2";

    private static final String STATUSES = "SELECT m.id, m.uidvalidity, m.uid_next, m.highest_modseq,"
            + " m.message_count AS messages,"
            + " (SELECT count(*) FROM message g WHERE g.account_id = m.account_id AND g.mailbox_id = m.id"
            + "   AND g.uid >= m.first_recent_uid) AS recent,"
            + " m.unseen_count AS unseen, m.size_total AS size, m.deleted_count AS deleted"
            + " FROM mailbox m WHERE m.account_id = $1";

    // RFC 3501 §2.3.2: the first session to see a message sees it as \Recent. The old first-recent UID is what
    // this caller gets; the row is written only when there is something to claim.
    private static final String CLAIM_RECENT = "WITH old AS (SELECT first_recent_uid, uid_next FROM mailbox"
            + "  WHERE account_id = $1 AND id = $2 FOR NO KEY UPDATE),"
            + " claimed AS (UPDATE mailbox m SET first_recent_uid = old.uid_next FROM old"
            + "  WHERE m.account_id = $1 AND m.id = $2 AND old.first_recent_uid < old.uid_next)"
            + " SELECT first_recent_uid, uid_next FROM old";

    private final Database db;
    private final PgMessages messages;
    private final MailboxTree tree;
    private final MessageChanges changes;
    private final Quotas quotas;
    private final MailboxFeed feed;

    PgMailboxes(Database db, PgMessages messages, MailboxFeed feed) {
        this.db = db;
        this.messages = messages;
        this.tree = new MailboxTree(db);
        this.quotas = new Quotas(db);
        this.changes = new MessageChanges(db, quotas);
        this.feed = feed;
    }

    @Override
    public Flux<MailboxInfo> list(long accountId) {
        return tree.list(accountId);
    }

    @Override
    public Mono<MailboxInfo> find(long accountId, String name) {
        return tree.find(accountId, name);
    }

    @Override
    public Mono<MailboxInfo> create(long accountId, String name, @Nullable String specialUse) {
        return tree.create(accountId, name, specialUse);
    }

    @Override
    public Mono<Void> delete(long accountId, String name) {
        return tree.delete(accountId, name);
    }

    @Override
    public Mono<Void> rename(long accountId, String from, String to) {
        return tree.rename(accountId, from, to);
    }

    @Override
    public Flux<String> subscriptions(long accountId) {
        return tree.subscriptions(accountId);
    }

    @Override
    public Mono<Void> subscribe(long accountId, String name, boolean subscribed) {
        return tree.subscribe(accountId, name, subscribed);
    }

    @Override
    public Mono<MailboxStatus> status(long accountId, long mailboxId) {
        return db.query(STATUS, PgMailboxes::status, accountId, mailboxId)
                .singleOrEmpty()
                .switchIfEmpty(MailboxErrors.nonexistent(mailboxId));
    }

    /** One query for the whole account. */
    @Override
    public Mono<java.util.Map<Long, MailboxStatus>> statuses(long accountId) {
        return db.query(STATUSES, row -> java.util.Map.entry(Database.required(row, "id", Long.class), status(row)),
                        accountId)
                .collectMap(java.util.Map.Entry::getKey, java.util.Map.Entry::getValue);
    }

    private static MailboxStatus status(io.r2dbc.spi.Readable row) {
        return new MailboxStatus(Database.required(row, "messages", Long.class),
                Database.required(row, "recent", Long.class),
                Database.required(row, "unseen", Long.class),
                Database.required(row, "uid_next", Long.class),
                Database.required(row, "uidvalidity", Long.class),
                Database.required(row, "highest_modseq", Long.class),
                Database.required(row, "size", Long.class),
                Database.required(row, "deleted", Long.class));
    }

    @Override
    public Flux<MessageMeta> messages(long accountId, long mailboxId) {
        return messages.messages(accountId, mailboxId);
    }

    @Override
    public Mono<MessageMeta> message(long accountId, long mailboxId, long uid) {
        return db.query("SELECT " + PgMessages.MESSAGE_COLUMNS + " FROM message"
                + " WHERE account_id = $1 AND mailbox_id = $2 AND uid = $3", PgMessages::message, accountId, mailboxId,
                uid).singleOrEmpty();
    }

    @Override
    public Flux<MessageMeta> newest(long accountId, long mailboxId, long beforeUid, int limit) {
        if (limit < 1) {
            return Flux.empty();
        }
        // A backward scan of message_pkey (account_id, mailbox_id, uid), stopped after the page.
        return db.query("SELECT " + PgMessages.MESSAGE_COLUMNS + " FROM message"
                + " WHERE account_id = $1 AND mailbox_id = $2 AND uid < $3 ORDER BY uid DESC LIMIT $4",
                PgMessages::message, accountId, mailboxId, beforeUid, limit);
    }

    @Override
    public Flux<MessageMeta> changedSince(long accountId, long mailboxId, long modseq) {
        // message_modseq_idx (account_id, mailbox_id, modseq) finds them; few, so sorting by UID is cheap.
        return db.query("SELECT " + PgMessages.MESSAGE_COLUMNS + " FROM message"
                + " WHERE account_id = $1 AND mailbox_id = $2 AND modseq > $3 ORDER BY uid", PgMessages::message, accountId, mailboxId, modseq);
    }

    @Override
    public Flux<Long> expungedSince(long accountId, long mailboxId, long modseq) {
        return db.query("SELECT uid FROM change WHERE account_id = $1 AND mailbox_id = $2 AND modseq > $3"
                        + " AND kind = 'expunge' ORDER BY uid",
                row -> Database.required(row, "uid", Long.class), accountId, mailboxId, modseq);
    }

    @Override
    public Mono<RecentClaim> claimRecent(long accountId, long mailboxId) {
        return db.query(CLAIM_RECENT, row -> new RecentClaim(Database.required(row, "first_recent_uid", Long.class),
                                Database.required(row, "uid_next", Long.class)),
                        accountId, mailboxId)
                .singleOrEmpty()
                .switchIfEmpty(MailboxErrors.nonexistent(mailboxId));
    }

    @Override
    public Mono<FlagUpdate> store(long accountId, long mailboxId, Collection<Long> uids, FlagMode mode,
                                  Set<String> flags, @Nullable Long unchangedSince) {
        return changes.store(accountId, mailboxId, uids, mode, flags, unchangedSince);
    }

    @Override
    public Mono<CopyResult> copy(long accountId, long sourceMailboxId, Collection<Long> uids, long targetMailboxId,
                                 boolean move) {
        return changes.copy(accountId, sourceMailboxId, uids, targetMailboxId, move);
    }

    @Override
    public Mono<AppendResult> append(long accountId, long mailboxId, MessageContent content, MessageFacts facts,
                                     Set<String> flags, Instant internalDate) {
        return changes.append(accountId, mailboxId, content, facts, flags, internalDate);
    }

    @Override
    public Mono<List<AppendResult>> append(long accountId, long mailboxId, List<NewMessage> messages) {
        return changes.append(accountId, mailboxId, messages);
    }

    @Override
    public Mono<Boolean> adoptUidValidity(long accountId, long mailboxId, long uidValidity) {
        if (uidValidity < 1 || uidValidity > 4294967295L) {
            return Mono.error(new IllegalArgumentException("UIDVALIDITY is a non-zero 32-bit number: " + uidValidity));
        }
        return db.query(ADOPT_UIDVALIDITY, row -> Database.required(row, "adopted", Long.class) > 0, accountId,
                mailboxId, uidValidity).single();
    }

    @Override
    public Mono<List<AppendResult>> appendWithUids(long accountId, long mailboxId, List<NewMessage> messages,
                                                   List<Long> uids) {
        return changes.append(accountId, mailboxId, messages, uids, copiedMark(uids));
    }

    @Override
    public Mono<List<AppendResult>> appendRenumbered(long accountId, long mailboxId, List<NewMessage> messages,
                                                     List<Long> oldUids) {
        return changes.append(accountId, mailboxId, messages, null, copiedMark(oldUids));
    }

    private static long copiedMark(List<Long> uids) {
        if (uids.isEmpty()) {
            throw new IllegalArgumentException("no UIDs");
        }
        return Math.min(uids.get(uids.size() - 1) + 1, 4294967296L);
    }

    @Override
    public Mono<java.util.Set<String>> holding(long accountId, long mailboxId, java.util.Collection<byte[]> sha256s) {
        if (sha256s.isEmpty()) {
            return Mono.just(java.util.Set.of());
        }
        return db.query("SELECT DISTINCT encode(b.sha256, 'hex') AS digest FROM message m JOIN blob b ON b.id = m.blob_id"
                        + " WHERE m.account_id = $1 AND m.mailbox_id = $2"
                        + " AND b.sha256 IN (SELECT decode(d, 'hex') FROM unnest($3::text[]) AS d)",
                row -> Database.required(row, "digest", String.class), accountId, mailboxId,
                sha256s.stream().map(java.util.HexFormat.of()::formatHex).toArray(String[]::new))
                .collect(java.util.stream.Collectors.toSet());
    }

    @Override
    public Mono<CopyMark> copiedUpTo(long accountId, long mailboxId) {
        return db.query("SELECT uid_next, old_modseq FROM legacy_copied WHERE account_id = $1 AND mailbox_id = $2",
                row -> new CopyMark(Database.required(row, "uid_next", Long.class),
                        Database.required(row, "old_modseq", Long.class)), accountId, mailboxId).singleOrEmpty();
    }

    @Override
    public Mono<Void> keepOldModseq(long accountId, long mailboxId, long oldModseq) {
        return db.update("UPDATE legacy_copied SET old_modseq = $3 WHERE account_id = $1 AND mailbox_id = $2",
                accountId, mailboxId, oldModseq).then();
    }

    @Override
    public Mono<Void> keepUidls(long accountId, long mailboxId, Map<Long, String> uidls) {
        if (uidls.isEmpty()) {
            return Mono.empty();
        }
        Long[] uids = uidls.keySet().toArray(Long[]::new);
        String[] values = java.util.Arrays.stream(uids).map(uidls::get).toArray(String[]::new);
        return db.update("INSERT INTO pop3_uidl (account_id, mailbox_id, uid, uidl)"
                + " SELECT $1, $2, v.uid, v.uidl FROM unnest($3::bigint[], $4::text[]) AS v (uid, uidl)"
                + " JOIN message m ON m.account_id = $1 AND m.mailbox_id = $2 AND m.uid = v.uid"
                + " ON CONFLICT (account_id, mailbox_id, uid) DO NOTHING", accountId, mailboxId, uids, values).then();
    }

    @Override
    public Mono<Map<Long, String>> uidls(long accountId, long mailboxId) {
        return db.query("SELECT uid, uidl FROM pop3_uidl WHERE account_id = $1 AND mailbox_id = $2",
                        row -> Map.entry(Database.required(row, "uid", Long.class),
                                Database.required(row, "uidl", String.class)), accountId, mailboxId)
                .collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    @Override
    public Mono<Void> raiseUidNext(long accountId, long mailboxId, long uidNext) {
        long next = Math.min(uidNext, 4294967296L);
        return db.inTransaction(connection -> Database.rowsUpdated(Database.statement(connection,
                        "UPDATE mailbox SET uid_next = greatest(uid_next, $3) WHERE account_id = $1 AND id = $2",
                        accountId, mailboxId, next))
                .then(Database.rowsUpdated(Database.statement(connection, MessageChanges.MARK_COPIED, accountId,
                        mailboxId, next)))).then();
    }

    @Override
    public Mono<Void> expunge(long accountId, long mailboxId, Collection<Long> uids) {
        return messages.expunge(accountId, mailboxId, uids);
    }

    @Override
    public Mono<Boolean> lease(long accountId, long mailboxId, String owner, Duration duration) {
        return messages.lease(accountId, mailboxId, owner, duration);
    }

    @Override
    public Mono<Void> release(long accountId, long mailboxId, String owner) {
        return messages.release(accountId, mailboxId, owner);
    }

    @Override
    public Mono<Quota> quota(long accountId) {
        return quotas.quota(accountId);
    }

    @Override
    public Mono<Quota> quotaToEnforce(long accountId) {
        return quotas.quotaToEnforce(accountId);
    }

    @Override
    public Mono<Void> setQuota(long accountId, @Nullable Long limitOctets, @Nullable Long limitMessages) {
        return quotas.setQuota(accountId, limitOctets, limitMessages);
    }

    @Override
    public Flux<MailboxEvent> events() {
        return feed.events();
    }
}
