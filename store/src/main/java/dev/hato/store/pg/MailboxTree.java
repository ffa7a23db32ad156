package dev.hato.store.pg;

import dev.hato.store.mail.MailboxException.Reason;
import dev.hato.store.mail.MailboxException;
import dev.hato.store.mail.MailboxInfo;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Readable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The names of one account's mailboxes on PostgreSQL: listing, CREATE, DELETE and RENAME with their hierarchy
 * (RFC 3501 §6.3), and subscriptions. Creating and renaming lock the account row first, as every writer does.
 */
final class MailboxTree {

    /** Most mailboxes one account may have (a client in a loop must not fill the database). */
    static final int MAX_MAILBOXES = 10_000;

    static final long MAX_UIDVALIDITY = (1L << 32) - 1;

    static final String MAILBOX_COLUMNS =
            "id, account_id, name, uidvalidity, uid_next, highest_modseq, special_use, first_recent_uid";

    static final Set<String> SPECIAL_USES =
            Set.of("\\All", "\\Archive", "\\Drafts", "\\Flagged", "\\Junk", "\\Sent", "\\Trash");

    // RFC 3501 §2.3.1.1: a name's UIDVALIDITY must grow whenever its UIDs could be reused. Seconds since the epoch,
    // but always above the last value this account handed out, so a mailbox deleted and created again within the
    // same second still gets a larger one. The update also locks the account row: creates and renames of one
    // account run one at a time.
    static final String TAKE_UIDVALIDITY = "UPDATE account"
            + " SET last_uidvalidity = greatest(extract(epoch FROM clock_timestamp())::bigint, last_uidvalidity + 1)"
            + " WHERE id = $1"
            + " RETURNING last_uidvalidity, (SELECT count(*) FROM mailbox WHERE account_id = $1) AS mailboxes";

    static final String INSERT_MAILBOXES = "INSERT INTO mailbox (account_id, name, uidvalidity, special_use)"
            + " SELECT $1, n, $2, CASE WHEN n = $3::text THEN $4::text END FROM unnest($5::text[]) AS n"
            + " ON CONFLICT (account_id, name) DO NOTHING RETURNING " + MAILBOX_COLUMNS;

    private final Database db;

    MailboxTree(Database db) {
        this.db = db;
    }

    Flux<MailboxInfo> list(long accountId) {
        return db.query("SELECT " + MAILBOX_COLUMNS + " FROM mailbox WHERE account_id = $1 ORDER BY name COLLATE \"C\"",
                MailboxTree::mailbox, accountId);
    }

    Mono<MailboxInfo> find(long accountId, String name) {
        Objects.requireNonNull(name, "name");
        String canonical;
        try {
            canonical = MailboxNames.canonical(name);
        } catch (MailboxException invalid) {
            return Mono.empty(); // no mailbox can have such a name
        }
        return db.query("SELECT " + MAILBOX_COLUMNS + " FROM mailbox WHERE account_id = $1 AND name = $2",
                MailboxTree::mailbox, accountId, canonical).singleOrEmpty();
    }

    Mono<MailboxInfo> create(long accountId, String name, @Nullable String specialUse) {
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
        }).onErrorMap(MailboxErrors::translate);
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
                                    names.toArray(String[]::new)), MailboxTree::mailbox)
                            .collectList()
                            .flatMapMany(created -> target != null
                                    && created.stream().noneMatch(box -> box.name().equals(target))
                                    ? Flux.error(new MailboxException(Reason.ALREADY_EXISTS, target + " exists"))
                                    : Flux.fromIterable(created));
                });
    }

    Mono<Void> delete(long accountId, String name) {
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
                                    + " SELECT id, pg_notify('" + PgMessages.CHANNEL + "',"
                                    + " id || ':' || (highest_modseq + 1)) FROM d",
                            row -> Database.required(row, "id", Long.class), accountId, canonical)
                    .count()
                    .flatMap(deleted -> deleted == 0
                            ? Mono.error(new MailboxException(Reason.NONEXISTENT, "no mailbox " + canonical))
                            : Mono.<Void>empty());
        });
    }

    Mono<Void> rename(long accountId, String from, String to) {
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
        }).onErrorMap(MailboxErrors::translate);
    }

    /**
     * RFC 3501 §6.3.5: the mailbox and all its inferiors get the new prefix, keeping ids and so UIDVALIDITY and
     * UIDs; missing superiors of the new name are created. Subscriptions stay as they are (the RFC does not ask
     * that they follow; Dovecot does not move them either).
     */
    private static Mono<Void> renameTree(Connection connection, long accountId, String source, String target) {
        List<String> superiors = MailboxNames.superiors(target);
        return Database.rows(Database.statement(connection, Quotas.LOCK_ACCOUNT, accountId), row -> accountId)
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
    private static Mono<Void> renameInbox(Connection connection, long accountId, String target) {
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
                                .flatMap(uids -> MessageChanges.copyIn(connection, accountId, inbox,
                                        uids.toArray(Long[]::new), created.id(), true))))
                .then();
    }

    Flux<String> subscriptions(long accountId) {
        return db.query("SELECT name FROM subscription WHERE account_id = $1 ORDER BY name COLLATE \"C\"",
                row -> Database.required(row, "name", String.class), accountId);
    }

    Mono<Void> subscribe(long accountId, String name, boolean subscribed) {
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
        }).onErrorMap(MailboxErrors::translate);
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
