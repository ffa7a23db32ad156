package dev.hato.store.pg;

import dev.hato.store.mail.MailboxException.Reason;
import dev.hato.store.mail.MailboxException;
import dev.hato.store.mail.MailboxInfo;
import dev.hato.store.mail.MailboxStatus;
import dev.hato.store.mail.Mailboxes;
import dev.hato.store.mail.MessageContent;
import dev.hato.store.mail.MessageFacts;
import dev.hato.store.mail.MessageMeta;
import io.r2dbc.postgresql.api.PostgresqlException;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Readable;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
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
 */
final class PgMailboxes implements Mailboxes {

    /** Most mailboxes one account may have (a client in a loop must not fill the database). */
    static final int MAX_MAILBOXES = 10_000;

    /** RFC 3501 §2.3.1.1: UIDs and UIDVALIDITY are 32-bit; uid_next may reach 2^32, then the mailbox is full. */
    static final long MAX_UID_NEXT = 1L << 32;

    static final long MAX_UIDVALIDITY = (1L << 32) - 1;

    private static final String MAILBOX_COLUMNS =
            "id, account_id, name, uidvalidity, uid_next, highest_modseq, special_use, first_recent_uid";

    private static final String MESSAGE_COLUMNS =
            "account_id, mailbox_id, uid, modseq, blob_id, size, internal_date, flags";

    private static final Set<String> SPECIAL_USES =
            Set.of("\\All", "\\Archive", "\\Drafts", "\\Flagged", "\\Junk", "\\Sent", "\\Trash");

    // RFC 3501 §2.3.1.1: a name's UIDVALIDITY must grow whenever its UIDs could be reused. Seconds since the epoch,
    // but always above the last value this account handed out, so a mailbox deleted and created again within the
    // same second still gets a larger one. The update also locks the account row: creates and renames of one
    // account run one at a time.
    private static final String TAKE_UIDVALIDITY = "UPDATE account"
            + " SET last_uidvalidity = greatest(extract(epoch FROM clock_timestamp())::bigint, last_uidvalidity + 1)"
            + " WHERE id = $1"
            + " RETURNING last_uidvalidity, (SELECT count(*) FROM mailbox WHERE account_id = $1) AS mailboxes";

    private static final String INSERT_MAILBOXES = "INSERT INTO mailbox (account_id, name, uidvalidity, special_use)"
            + " SELECT $1, n, $2, CASE WHEN n = $3::text THEN $4::text END FROM unnest($5::text[]) AS n"
            + " ON CONFLICT (account_id, name) DO NOTHING RETURNING " + MAILBOX_COLUMNS;

    private static final String LOCK_ACCOUNT = "SELECT quota_octets, quota_messages FROM account WHERE id = $1"
            + " FOR NO KEY UPDATE";

    // The primary key (account_id, mailbox_id, uid) starts with the account: one index range, no join.
    private static final String USAGE = "SELECT count(*) AS messages, coalesce(sum(size), 0)::bigint AS octets"
            + " FROM message WHERE account_id = $1";

    private static final String LIMITED = "(a.quota_octets IS NOT NULL OR a.quota_messages IS NOT NULL)";

    private static final String NOTIFY = "SELECT pg_notify('" + PgMessageStore.CHANNEL + "', $1)";

    // One snapshot: RFC 3501 §6.3.10 counts, RFC 8438 SIZE, RFC 7162 HIGHESTMODSEQ, and \Deleted for RFC 9051.
    private static final String STATUS = "SELECT m.uidvalidity, m.uid_next, m.highest_modseq,"
            + " count(g.uid) AS messages,"
            + " count(g.uid) FILTER (WHERE g.uid >= m.first_recent_uid) AS recent,"
            + " count(g.uid) FILTER (WHERE NOT ('\\Seen' = ANY (g.flags))) AS unseen,"
            + " coalesce(sum(g.size), 0)::bigint AS size,"
            + " count(g.uid) FILTER (WHERE '\\Deleted' = ANY (g.flags)) AS deleted"
            + " FROM mailbox m LEFT JOIN message g ON g.account_id = m.account_id AND g.mailbox_id = m.id"
            + " WHERE m.account_id = $1 AND m.id = $2"
            + " GROUP BY m.account_id, m.id";

    // RFC 3501 §2.3.2: the first session to see a message sees it as \Recent. The old first-recent UID is what
    // this caller gets; the row is written only when there is something to claim.
    private static final String CLAIM_RECENT = "WITH old AS (SELECT first_recent_uid, uid_next FROM mailbox"
            + "  WHERE account_id = $1 AND id = $2 FOR NO KEY UPDATE),"
            + " claimed AS (UPDATE mailbox m SET first_recent_uid = old.uid_next FROM old"
            + "  WHERE m.account_id = $1 AND m.id = $2 AND old.first_recent_uid < old.uid_next)"
            + " SELECT first_recent_uid, uid_next FROM old";

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
            + "  RETURNING g." + MESSAGE_COLUMNS.replace(", ", ", g.") + "),"
            + " c AS (INSERT INTO change (account_id, mailbox_id, modseq, uid, kind)"
            + "  SELECT $1, $2, $5, uid, 'flags' FROM u)"
            + " SELECT " + MESSAGE_COLUMNS + " FROM u";

    private static final String MODIFIED_SINCE = "SELECT uid FROM message"
            + " WHERE account_id = $1 AND mailbox_id = $2 AND uid = ANY($3::bigint[]) AND modseq > $4 ORDER BY uid";

    private static final String SELECTED = "SELECT count(*) AS messages, coalesce(sum(size), 0)::bigint AS octets"
            + " FROM message WHERE account_id = $1 AND mailbox_id = $2 AND uid = ANY($3::bigint[])";

    private static final String LOCK_MAILBOXES = "SELECT id, uidvalidity FROM mailbox"
            + " WHERE account_id = $1 AND id = ANY($2::bigint[]) ORDER BY id FOR NO KEY UPDATE";

    // RFC 4315 COPYUID: the copies get consecutive UIDs in source UID order, starting at $5.
    private static final String COPY_MESSAGES = "WITH s AS (SELECT uid, blob_id, size, internal_date, flags,"
            + "  row_number() OVER (ORDER BY uid) - 1 AS n FROM message"
            + "  WHERE account_id = $1 AND mailbox_id = $2 AND uid = ANY($3::bigint[])),"
            + " i AS (INSERT INTO message (account_id, mailbox_id, uid, modseq, blob_id, size, internal_date, flags)"
            + "  SELECT $1, $4, $5 + n, $6, blob_id, size, internal_date, flags FROM s RETURNING uid),"
            + " c AS (INSERT INTO change (account_id, mailbox_id, modseq, uid, kind)"
            + "  SELECT $1, $4, $6, uid, 'append' FROM i)"
            + " SELECT uid AS source_uid, $5 + n AS target_uid FROM s ORDER BY uid";

    private static final String EXPUNGE = "WITH gone AS (DELETE FROM message"
            + "  WHERE account_id = $1 AND mailbox_id = $2 AND uid = ANY($3::bigint[]) RETURNING uid)"
            + " INSERT INTO change (account_id, mailbox_id, modseq, uid, kind)"
            + " SELECT $1, $2, $4, uid, 'expunge' FROM gone";

    private static final String APPEND = "WITH m AS (INSERT INTO message"
            + "  (account_id, mailbox_id, uid, modseq, blob_id, size, internal_date, flags)"
            + "  VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text[]) RETURNING uid)"
            + " INSERT INTO change (account_id, mailbox_id, modseq, uid, kind) SELECT $1, $2, $4, uid, 'append'"
            // the change feed's NOTIFY in the same statement (one round trip less); sent at commit, as any NOTIFY
            + " FROM m CROSS JOIN (SELECT pg_notify('" + PgMessageStore.CHANNEL + "', $9)) AS n";

    private final Database db;
    private final PgMessageStore messageStore;
    private final MailboxFeed feed;

    PgMailboxes(Database db, PgMessageStore messageStore, MailboxFeed feed) {
        this.db = db;
        this.messageStore = messageStore;
        this.feed = feed;
    }

    @Override
    public Flux<MailboxInfo> list(long accountId) {
        return db.query("SELECT " + MAILBOX_COLUMNS + " FROM mailbox WHERE account_id = $1 ORDER BY name COLLATE \"C\"",
                PgMailboxes::mailbox, accountId);
    }

    @Override
    public Mono<MailboxInfo> find(long accountId, String name) {
        Objects.requireNonNull(name, "name");
        String canonical;
        try {
            canonical = MailboxNames.canonical(name);
        } catch (MailboxException invalid) {
            return Mono.empty(); // no mailbox can have such a name
        }
        return db.query("SELECT " + MAILBOX_COLUMNS + " FROM mailbox WHERE account_id = $1 AND name = $2",
                PgMailboxes::mailbox, accountId, canonical).singleOrEmpty();
    }

    @Override
    public Mono<MailboxInfo> create(long accountId, String name, @Nullable String specialUse) {
        Objects.requireNonNull(name, "name");
        return Mono.defer(() -> {
            String canonical = MailboxNames.canonical(name);
            if (specialUse != null && !SPECIAL_USES.contains(specialUse)) {
                throw new MailboxException(Reason.CANNOT, specialUse + " is not a special use (RFC 6154)");
            }
            if (canonical.equals(MailboxNames.INBOX)) {
                throw new MailboxException(Reason.ALREADY_EXISTS, "INBOX always exists");
            }
            List<String> names = new ArrayList<>(MailboxNames.superiors(canonical));
            names.add(canonical);
            return db.inTransaction(connection -> createIn(connection, accountId, names, canonical, specialUse))
                    .filter(created -> created.name().equals(canonical))
                    .single();
        }).onErrorMap(PgMailboxes::translate);
    }

    /**
     * Creates those of {@code names} that do not exist; {@code target}, when given, must be among them (else
     * ALREADY_EXISTS) and gets {@code specialUse}. Emits the mailboxes created. Locks the account row.
     */
    private static Flux<MailboxInfo> createIn(Connection connection, long accountId, List<String> names,
                                              @Nullable String target, @Nullable String specialUse) {
        return Database.rows(Database.statement(connection, TAKE_UIDVALIDITY, accountId),
                        row -> new long[] {Database.required(row, "last_uidvalidity", Long.class),
                                Database.required(row, "mailboxes", Long.class)})
                .singleOrEmpty()
                .switchIfEmpty(Mono.error(() -> new MailboxException(Reason.NONEXISTENT, "no account " + accountId)))
                .flatMapMany(taken -> {
                    if (taken[0] > MAX_UIDVALIDITY) {
                        return Flux.error(new MailboxException(Reason.LIMIT, "UIDVALIDITY values exhausted"));
                    }
                    if (taken[1] + names.size() > MAX_MAILBOXES) {
                        return Flux.error(new MailboxException(Reason.LIMIT,
                                "an account can have at most " + MAX_MAILBOXES + " mailboxes"));
                    }
                    return Database.rows(Database.statement(connection, INSERT_MAILBOXES, accountId, taken[0],
                                    Database.nullable(target, String.class), Database.nullable(specialUse, String.class),
                                    names.toArray(String[]::new)), PgMailboxes::mailbox)
                            .collectList()
                            .flatMapMany(created -> target != null
                                    && created.stream().noneMatch(box -> box.name().equals(target))
                                    ? Flux.error(new MailboxException(Reason.ALREADY_EXISTS, target + " exists"))
                                    : Flux.fromIterable(created));
                });
    }

    @Override
    public Mono<Void> delete(long accountId, String name) {
        Objects.requireNonNull(name, "name");
        return Mono.defer(() -> {
            String canonical = MailboxNames.canonical(name);
            if (canonical.equals(MailboxNames.INBOX)) {
                throw new MailboxException(Reason.CANNOT, "INBOX cannot be deleted");
            }
            // Messages and change rows go with the mailbox (ON DELETE CASCADE); blobs stay, they may be shared.
            // Sessions that have it selected hear of it by a modseq the mailbox never reached.
            return db.query("WITH d AS (DELETE FROM mailbox WHERE account_id = $1 AND name = $2"
                                    + " RETURNING id, highest_modseq)"
                                    + " SELECT id, pg_notify('" + PgMessageStore.CHANNEL + "',"
                                    + " id || ':' || (highest_modseq + 1)) FROM d",
                            row -> Database.required(row, "id", Long.class), accountId, canonical)
                    .count()
                    .flatMap(deleted -> deleted == 0
                            ? Mono.error(new MailboxException(Reason.NONEXISTENT, "no mailbox " + canonical))
                            : Mono.<Void>empty());
        });
    }

    @Override
    public Mono<Void> rename(long accountId, String from, String to) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        return Mono.defer(() -> {
            String source = MailboxNames.canonical(from);
            String target = MailboxNames.canonical(to);
            if (target.equals(MailboxNames.INBOX) || target.equals(source)) {
                throw new MailboxException(Reason.ALREADY_EXISTS, target + " exists");
            }
            if (source.equals(MailboxNames.INBOX)) {
                return db.inTransaction(connection -> renameInbox(connection, accountId, target)).then();
            }
            if (MailboxNames.isInferior(target, source)) {
                throw new MailboxException(Reason.CANNOT, "a mailbox cannot be moved into itself");
            }
            return db.inTransaction(connection -> renameTree(connection, accountId, source, target)).then();
        }).onErrorMap(PgMailboxes::translate);
    }

    /**
     * RFC 3501 §6.3.5: the mailbox and all its inferiors get the new prefix, keeping ids and so UIDVALIDITY and
     * UIDs; missing superiors of the new name are created. Subscriptions stay as they are (the RFC does not ask
     * that they follow; Dovecot does not move them either).
     */
    private static Mono<Void> renameTree(Connection connection, long accountId, String source, String target) {
        List<String> superiors = MailboxNames.superiors(target);
        return Database.rows(Database.statement(connection, LOCK_ACCOUNT, accountId), row -> accountId)
                .singleOrEmpty()
                .switchIfEmpty(Mono.error(() -> new MailboxException(Reason.NONEXISTENT, "no account " + accountId)))
                .thenMany(Database.rows(Database.statement(connection, "SELECT id, name FROM mailbox"
                                + " WHERE account_id = $1 AND (name = $2 OR starts_with(name, $2 || '/'))"
                                + " ORDER BY id FOR NO KEY UPDATE", accountId, source),
                        row -> new Renamed(Database.required(row, "id", Long.class),
                                Database.required(row, "name", String.class))))
                .collectList()
                .flatMap(sources -> {
                    if (sources.stream().noneMatch(box -> box.name().equals(source))) {
                        return Mono.error(new MailboxException(Reason.NONEXISTENT, "no mailbox " + source));
                    }
                    Long[] ids = sources.stream().map(Renamed::id).toArray(Long[]::new);
                    String[] targets = new String[ids.length];
                    for (int i = 0; i < targets.length; i++) {
                        targets[i] = target + sources.get(i).name().substring(source.length());
                        if (targets[i].length() > MailboxNames.MAX_LENGTH) {
                            return Mono.error(new MailboxException(Reason.CANNOT, "the new name of "
                                    + sources.get(i).name() + " would be too long"));
                        }
                    }
                    Set<String> sourceNames = new HashSet<>(sources.stream().map(Renamed::name).toList());
                    boolean overlapping = false;
                    for (String name : targets) {
                        overlapping |= sourceNames.contains(name);
                    }
                    // a/b → a moves a/b/b to a/b: unique constraints are checked row by row, so such a rename
                    // first moves the names out of the way (no stored name has a control character).
                    Mono<Long> clear = overlapping
                            ? Database.rowsUpdated(Database.statement(connection, "UPDATE mailbox"
                                    + " SET name = E'\\x01' || id::text WHERE account_id = $1 AND id = ANY($2::bigint[])",
                                    accountId, ids))
                            : Mono.just(0L);
                    return Database.rows(Database.statement(connection, "SELECT name FROM mailbox"
                                            + " WHERE account_id = $1 AND name = ANY($2::text[])"
                                            + " AND id <> ALL($3::bigint[]) ORDER BY name LIMIT 1",
                                    accountId, targets, ids), row -> Database.required(row, "name", String.class))
                            .next()
                            .flatMap(taken -> Mono.<Long>error(new MailboxException(Reason.ALREADY_EXISTS,
                                    taken + " exists")))
                            .then(superiors.isEmpty() ? Mono.<Void>empty()
                                    : createIn(connection, accountId, superiors, null, null).then())
                            .then(clear)
                            .then(Database.rowsUpdated(Database.statement(connection, "UPDATE mailbox m"
                                    + " SET name = v.name FROM unnest($2::bigint[], $3::text[]) AS v (id, name)"
                                    + " WHERE m.account_id = $1 AND m.id = v.id", accountId, ids, targets)))
                            .then();
                });
    }

    private record Renamed(long id, String name) { }

    /**
     * RFC 3501 §6.3.5: renaming INBOX moves its messages to a new mailbox of that name (new UIDs there) and leaves
     * INBOX empty; INBOX's inferiors are not touched.
     */
    private Mono<Void> renameInbox(Connection connection, long accountId, String target) {
        List<String> names = new ArrayList<>(MailboxNames.superiors(target));
        names.add(target);
        return createIn(connection, accountId, names, target, null)
                .filter(created -> created.name().equals(target))
                .single()
                .flatMap(created -> Database.rows(Database.statement(connection,
                                        "SELECT id FROM mailbox WHERE account_id = $1 AND name = 'INBOX'", accountId),
                                row -> Database.required(row, "id", Long.class))
                        .single()
                        .flatMap(inbox -> Database.rows(Database.statement(connection,
                                                "SELECT uid FROM message WHERE account_id = $1 AND mailbox_id = $2",
                                                accountId, inbox), row -> Database.required(row, "uid", Long.class))
                                .collectList()
                                .flatMap(uids -> copyIn(connection, accountId, inbox, uids.toArray(Long[]::new),
                                        created.id(), true))))
                .then();
    }

    @Override
    public Flux<String> subscriptions(long accountId) {
        return db.query("SELECT name FROM subscription WHERE account_id = $1 ORDER BY name COLLATE \"C\"",
                row -> Database.required(row, "name", String.class), accountId);
    }

    @Override
    public Mono<Void> subscribe(long accountId, String name, boolean subscribed) {
        Objects.requireNonNull(name, "name");
        return Mono.defer(() -> {
            String canonical = MailboxNames.canonical(name);
            if (!subscribed) {
                return db.update("DELETE FROM subscription WHERE account_id = $1 AND name = $2", accountId,
                        canonical).then();
            }
            // A bounded list, like mailboxes: subscriptions may name mailboxes that do not exist (RFC 3501 §6.3.6).
            return db.update("INSERT INTO subscription (account_id, name)"
                                    + " SELECT $1, $2 WHERE (SELECT count(*) FROM subscription WHERE account_id = $1) < $3"
                                    + " ON CONFLICT (account_id, name) DO NOTHING", accountId, canonical,
                            (long) MAX_MAILBOXES)
                    .flatMap(inserted -> inserted > 0 ? Mono.<Void>empty()
                            : db.query("SELECT 1 AS present FROM subscription WHERE account_id = $1 AND name = $2",
                                            row -> true, accountId, canonical)
                                    .hasElements()
                                    .flatMap(present -> present ? Mono.<Void>empty()
                                            : Mono.error(new MailboxException(Reason.LIMIT, "an account can have"
                                                    + " at most " + MAX_MAILBOXES + " subscriptions"))));
        }).onErrorMap(PgMailboxes::translate);
    }

    @Override
    public Mono<MailboxStatus> status(long accountId, long mailboxId) {
        return db.query(STATUS, row -> new MailboxStatus(Database.required(row, "messages", Long.class),
                                Database.required(row, "recent", Long.class),
                                Database.required(row, "unseen", Long.class),
                                Database.required(row, "uid_next", Long.class),
                                Database.required(row, "uidvalidity", Long.class),
                                Database.required(row, "highest_modseq", Long.class),
                                Database.required(row, "size", Long.class),
                                Database.required(row, "deleted", Long.class)),
                        accountId, mailboxId)
                .singleOrEmpty()
                .switchIfEmpty(nonexistent(mailboxId));
    }

    @Override
    public Flux<MessageMeta> messages(long accountId, long mailboxId) {
        return messageStore.messages(accountId, mailboxId);
    }

    @Override
    public Flux<MessageMeta> changedSince(long accountId, long mailboxId, long modseq) {
        // message_modseq_idx (account_id, mailbox_id, modseq) finds them; few, so sorting by UID is cheap.
        return db.query("SELECT " + MESSAGE_COLUMNS + " FROM message WHERE account_id = $1 AND mailbox_id = $2"
                + " AND modseq > $3 ORDER BY uid", PgMessageStore::message, accountId, mailboxId, modseq);
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
                .switchIfEmpty(nonexistent(mailboxId));
    }

    @Override
    public Mono<FlagUpdate> store(long accountId, long mailboxId, Collection<Long> uids, FlagMode mode,
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
                                            PgMessageStore::message).collectList())
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

    @Override
    public Mono<CopyResult> copy(long accountId, long sourceMailboxId, Collection<Long> uids, long targetMailboxId,
                                 boolean move) {
        Objects.requireNonNull(uids, "uids");
        Long[] wanted = new TreeSet<>(uids).toArray(Long[]::new);
        return db.inTransaction(connection -> copyIn(connection, accountId, sourceMailboxId, wanted,
                        targetMailboxId, move))
                .single()
                .onErrorMap(PgMailboxes::translate);
    }

    /**
     * Copies (and with {@code move} expunges) the existing ones of {@code uids}: locks the account (quota), both
     * mailboxes by id, reserves the target's UIDs, then copies in one statement.
     */
    private Mono<CopyResult> copyIn(Connection connection, long accountId, long sourceId, Long[] uids,
                                    long targetId, boolean move) {
        return Database.rows(Database.statement(connection, LOCK_ACCOUNT, accountId), PgMailboxes::limits)
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
                                return nonexistent(sourceId);
                            }
                            if (targetValidity < 0) {
                                return nonexistent(targetId);
                            }
                            long uidValidity = targetValidity;
                            return Database.rows(Database.statement(connection, SELECTED, accountId, sourceId, uids),
                                            PgMailboxes::usage)
                                    .single()
                                    .flatMap(selected -> selected.messages() == 0
                                            ? Mono.just(new CopyResult(uidValidity, List.of(), List.of()))
                                            : (move ? Mono.<Void>empty()
                                                    : checkQuota(connection, accountId, limits, selected))
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

    @Override
    public Mono<AppendResult> append(long accountId, long mailboxId, MessageContent content, MessageFacts facts,
                                     Set<String> flags, Instant internalDate) {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(facts, "facts");
        Objects.requireNonNull(flags, "flags");
        Objects.requireNonNull(internalDate, "internalDate");
        return Mono.defer(() -> {
            String[] stored = Flags.canonical(flags);
            Instant date = internalDate.truncatedTo(ChronoUnit.MICROS); // what PostgreSQL keeps
            Usage adding = new Usage(1, content.size());
            BlobBatch blobs = new BlobBatch();
            blobs.add(content, facts, 0);
            AtomicReference<@Nullable Throwable> unreadable = new AtomicReference<>();
            // A first look at the quota, before any byte is written; the check that counts is the one under the
            // account lock below.
            return quotaToEnforce(accountId)
                    .flatMap(quota -> overQuota(quota.limitOctets(), quota.limitMessages(),
                            new Usage(quota.usedMessages(), quota.usedOctets()), adding))
                    .then(blobs.readSmall((owners, error) -> unreadable.set(error)))
                    .then(Mono.defer(() -> unreadable.get() == null ? Mono.<Void>empty()
                            : Mono.error(unreadable.get())))
                    .then(db.inTransaction(connection -> blobs.store(connection)
                                    .then(Database.rows(Database.statement(connection, LOCK_ACCOUNT, accountId),
                                            PgMailboxes::limits).singleOrEmpty())
                                    .switchIfEmpty(Mono.error(() -> new MailboxException(Reason.NONEXISTENT,
                                            "no account " + accountId)))
                                    .flatMap(limits -> checkQuota(connection, accountId, limits, adding))
                                    .then(reserve(connection, accountId, mailboxId, 1))
                                    .flatMap(reserved -> Database.rowsUpdated(Database.statement(connection, APPEND,
                                                    accountId, mailboxId, reserved.firstUid(), reserved.modseq(),
                                                    blobs.id(content), content.size(), date, stored,
                                                    mailboxId + ":" + reserved.modseq()))
                                            .thenReturn(new AppendResult(reserved.uidValidity(), reserved.firstUid(),
                                                    reserved.modseq()))))
                            .single());
        }).onErrorMap(PgMailboxes::translate);
    }

    @Override
    public Mono<Void> expunge(long accountId, long mailboxId, Collection<Long> uids) {
        return messageStore.expunge(accountId, mailboxId, uids);
    }

    @Override
    public Mono<byte[]> structure(long blobId) {
        return structures(List.of(blobId)).flatMap(found -> Mono.justOrEmpty(found.get(blobId)));
    }

    @Override
    public Mono<Map<Long, byte[]>> structures(Collection<Long> blobIds) {
        Objects.requireNonNull(blobIds, "blobIds");
        if (blobIds.isEmpty()) {
            return Mono.just(Map.of());
        }
        return db.query("SELECT blob_id, structure FROM blob_facts WHERE blob_id = ANY($1)", row -> {
                    ByteBuffer buffer = Database.required(row, "structure", ByteBuffer.class);
                    byte[] bytes = new byte[buffer.remaining()];
                    buffer.get(bytes);
                    return Map.entry(Database.required(row, "blob_id", Long.class), bytes);
                }, (Object) blobIds.toArray(Long[]::new))
                .collect(HashMap<Long, byte[]>::new, (map, entry) -> map.put(entry.getKey(), entry.getValue()))
                .map(Map::copyOf);
    }

    @Override
    public Mono<Void> storeFacts(long blobId, MessageFacts facts) {
        Objects.requireNonNull(facts, "facts");
        return Mono.usingWhen(db.connections().create(),
                        connection -> BlobBatch.insertFacts(connection, List.of(blobId), List.of(facts)),
                        Connection::close)
                .onErrorMap(error -> error instanceof PostgresqlException postgres
                                && "23503".equals(postgres.getErrorDetails().getCode()),
                        error -> new NoSuchElementException("no blob " + blobId));
    }

    @Override
    public Mono<Quota> quota(long accountId) {
        return quota("SELECT a.quota_octets, a.quota_messages, u.messages, u.octets FROM account a,"
                + " LATERAL (" + USAGE + ") AS u WHERE a.id = $1", accountId);
    }

    @Override
    public Mono<Quota> quotaToEnforce(long accountId) {
        // PostgreSQL runs a scalar subquery of a CASE branch only when the branch is taken.
        return quota("SELECT a.quota_octets, a.quota_messages,"
                + " CASE WHEN " + LIMITED + " THEN (SELECT count(*) FROM message m WHERE m.account_id = a.id)"
                + " ELSE 0 END AS messages,"
                + " CASE WHEN " + LIMITED + " THEN (SELECT coalesce(sum(size), 0)::bigint FROM message m"
                + " WHERE m.account_id = a.id) ELSE 0 END AS octets FROM account a WHERE a.id = $1", accountId);
    }

    private Mono<Quota> quota(String sql, long accountId) {
        return db.query(sql, row -> new Quota(Database.required(row, "octets", Long.class),
                                row.get("quota_octets", Long.class),
                                Database.required(row, "messages", Long.class),
                                row.get("quota_messages", Long.class)), accountId)
                .singleOrEmpty()
                .switchIfEmpty(Mono.error(() -> new MailboxException(Reason.NONEXISTENT, "no account " + accountId)));
    }

    @Override
    public Mono<Void> setQuota(long accountId, @Nullable Long limitOctets, @Nullable Long limitMessages) {
        if ((limitOctets != null && limitOctets < 0) || (limitMessages != null && limitMessages < 0)) {
            return Mono.error(new IllegalArgumentException("a quota cannot be negative"));
        }
        return db.update("UPDATE account SET quota_octets = $2, quota_messages = $3 WHERE id = $1", accountId,
                        Database.nullable(limitOctets, Long.class), Database.nullable(limitMessages, Long.class))
                .flatMap(updated -> updated == 0
                        ? Mono.error(new MailboxException(Reason.NONEXISTENT, "no account " + accountId))
                        : Mono.<Void>empty());
    }

    @Override
    public Flux<MailboxEvent> events() {
        return feed.events();
    }

    // --- shared steps -------------------------------------------------------------------------------------------

    private static Mono<Long> raiseModseq(Connection connection, long accountId, long mailboxId) {
        return Database.rows(Database.statement(connection, RAISE_MODSEQ, accountId, mailboxId),
                        row -> Database.required(row, "highest_modseq", Long.class))
                .singleOrEmpty()
                .switchIfEmpty(nonexistent(mailboxId));
    }

    /** Reserves {@code count} UIDs and one modseq of a mailbox (which locks its row). LIMIT when UIDs run out. */
    private static Mono<Reserved> reserve(Connection connection, long accountId, long mailboxId, long count) {
        return Database.rows(Database.statement(connection, RESERVE_UIDS, accountId, mailboxId, count),
                        row -> new Reserved(Database.required(row, "first_uid", Long.class),
                                Database.required(row, "highest_modseq", Long.class),
                                Database.required(row, "uidvalidity", Long.class)))
                .singleOrEmpty()
                .switchIfEmpty(nonexistent(mailboxId));
    }

    private record Reserved(long firstUid, long modseq, long uidValidity) { }

    private static Mono<Void> notify(Connection connection, long mailboxId, long modseq) {
        // Queued by PostgreSQL and delivered to listeners only when the transaction commits.
        return Database.rowsUpdated(Database.statement(connection, NOTIFY, mailboxId + ":" + modseq)).then();
    }

    private record Limits(@Nullable Long octets, @Nullable Long messages) { }

    private record Usage(long messages, long octets) { }

    private static Limits limits(Readable row) {
        return new Limits(row.get("quota_octets", Long.class), row.get("quota_messages", Long.class));
    }

    private static Usage usage(Readable row) {
        return new Usage(Database.required(row, "messages", Long.class), Database.required(row, "octets", Long.class));
    }

    /** RFC 9208 §4.3 OVERQUOTA when the account's usage plus {@code adding} exceeds a limit; no query without one. */
    private static Mono<Void> checkQuota(Connection connection, long accountId, Limits limits, Usage adding) {
        if (limits.octets() == null && limits.messages() == null) {
            return Mono.empty();
        }
        return Database.rows(Database.statement(connection, USAGE, accountId), PgMailboxes::usage)
                .single()
                .flatMap(used -> overQuota(limits.octets(), limits.messages(), used, adding));
    }

    private static Mono<Void> overQuota(@Nullable Long limitOctets, @Nullable Long limitMessages, Usage used,
                                        Usage adding) {
        if (limitOctets != null && used.octets() + adding.octets() > limitOctets) {
            return Mono.error(new MailboxException(Reason.OVER_QUOTA, "storage quota exceeded: "
                    + used.octets() + " + " + adding.octets() + " octets > " + limitOctets));
        }
        if (limitMessages != null && used.messages() + adding.messages() > limitMessages) {
            return Mono.error(new MailboxException(Reason.OVER_QUOTA, "message quota exceeded: "
                    + used.messages() + " + " + adding.messages() + " messages > " + limitMessages));
        }
        return Mono.empty();
    }

    private static <T> Mono<T> nonexistent(long mailboxId) {
        return Mono.error(() -> new MailboxException(Reason.NONEXISTENT, "no mailbox with id " + mailboxId));
    }

    /** Rolls back a STORE that changed nothing, so that it spends no modseq; never leaves this class. */
    private static final class NothingChanged extends RuntimeException {
        NothingChanged() {
            super(null, null, false, false);
        }
    }

    /** The constraints a caller can run into, as the refusals they stand for. */
    private static Throwable translate(Throwable error) {
        if (!(error instanceof PostgresqlException postgres)) {
            return error;
        }
        var details = postgres.getErrorDetails();
        String constraint = details.getConstraintName().orElse("");
        MailboxException mapped = switch (constraint) {
            case "mailbox_name_key" -> new MailboxException(Reason.ALREADY_EXISTS, "the mailbox exists");
            case "mailbox_uid_next_range", "message_uid_range" -> new MailboxException(Reason.LIMIT,
                    "the mailbox has no UIDs left; create a new one");
            case "mailbox_uidvalidity_range" -> new MailboxException(Reason.LIMIT, "UIDVALIDITY values exhausted");
            case "message_mailbox_fkey", "change_mailbox_fkey" -> new MailboxException(Reason.NONEXISTENT,
                    "the mailbox was deleted meanwhile");
            default -> null;
        };
        if (mapped == null) {
            return error;
        }
        mapped.initCause(error);
        return mapped;
    }

    static MailboxInfo mailbox(Readable row) {
        return new MailboxInfo(Database.required(row, "id", Long.class),
                Database.required(row, "account_id", Long.class),
                Database.required(row, "name", String.class),
                Database.required(row, "uidvalidity", Long.class),
                Database.required(row, "uid_next", Long.class),
                Database.required(row, "highest_modseq", Long.class),
                row.get("special_use", String.class),
                Database.required(row, "first_recent_uid", Long.class));
    }
}
