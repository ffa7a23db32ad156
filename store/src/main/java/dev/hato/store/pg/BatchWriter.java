package dev.hato.store.pg;

import dev.hato.store.directory.DirectoryException;
import dev.hato.store.mail.Copy;
import dev.hato.store.mail.Delivery;
import dev.hato.store.mail.DeliveryReceipt;
import dev.hato.store.mail.MailboxException;
import dev.hato.store.mail.MessageMeta;
import dev.hato.store.queue.Envelope;
import dev.hato.store.queue.OutboundRecipient;
import dev.hato.store.queue.QueuedRecipient;
import io.r2dbc.spi.Connection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Writes one batch of deliveries in one transaction on one connection (ARCHITECTURE.md, "the hot path"): the
 * blob rows of the batch in one statement ({@code ON CONFLICT DO NOTHING}), the chunks of the new ones by COPY and
 * their {@link dev.hato.store.mail.MessageFacts} in one statement ({@link BlobBatch}),
 * one UID reservation per mailbox, all message and change rows in one statement, one NOTIFY per mailbox, one
 * commit, and the outbound queue rows of the batch in one more statement. About ten round trips per batch, whatever its size, plus one per chunk of a large message.
 *
 * <p>Row locks are taken in one global order — blobs by SHA-256 (one statement, sorted), then mailboxes by id — so
 * batches on different gateway nodes never wait for each other in a cycle. (An insert of a SHA-256 that another
 * open transaction inserted waits for that transaction to end.)
 */
final class BatchWriter {

    /** What became of one delivery of a batch whose transaction committed (or was not needed). */
    sealed interface Outcome permits Stored, Rejected { }

    record Stored(DeliveryReceipt receipt) implements Outcome { }

    /** This delivery alone failed (unknown account, unreadable content); the others of its batch are unaffected. */
    record Rejected(Throwable error) implements Outcome { }

    private static final String INBOXES = "SELECT account_id, id FROM mailbox"
            + " WHERE account_id = ANY($1) AND name = 'INBOX'";

    // The \Junk mailbox of each account (the oldest, should a client have marked several), for quarantined mail.
    private static final String JUNK = "SELECT DISTINCT ON (account_id) account_id, id, name FROM mailbox"
            + " WHERE account_id = ANY($1) AND special_use = '\\Junk' ORDER BY account_id, id";

    static final String JUNK_NAME = "Junk";

    // The mailboxes named by copies (a Sieve script's fileinto), by account and name.
    private static final String NAMED = "SELECT m.account_id, m.name, m.id FROM mailbox m"
            + " JOIN unnest($1::bigint[], $2::text[]) AS v (account_id, name)"
            + " ON m.account_id = v.account_id AND m.name = v.name";

    // ORDER BY under FOR NO KEY UPDATE (the lock the UPDATE below takes anyway) locks the rows in mailbox id order:
    // the sort runs before the row locks.
    private static final String LOCK_MAILBOXES = "SELECT m.id FROM mailbox m"
            + " JOIN unnest($1::bigint[], $2::bigint[]) AS v (account_id, id)"
            + " ON m.account_id = v.account_id AND m.id = v.id ORDER BY m.id FOR NO KEY UPDATE OF m";

    private static final String RESERVE_UIDS = "UPDATE mailbox m SET uid_next = m.uid_next + v.n,"
            + " highest_modseq = m.highest_modseq + 1"
            + " FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS v (account_id, id, n)"
            + " WHERE m.account_id = v.account_id AND m.id = v.id"
            + " RETURNING m.id, m.uid_next, m.highest_modseq";

    // save_date takes its default, the transaction's time (RFC 8514), which the statement returns for the receipts.
    private static final String INSERT_MESSAGES = "WITH m AS ("
            + "  INSERT INTO message (account_id, mailbox_id, uid, modseq, blob_id, size, internal_date, flags)"
            + "  SELECT a, mb, u, ms, b, s, d, string_to_array(f, ' ')"
            + "  FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[],"
            + "              $6::bigint[], $7::timestamptz[], $8::text[]) AS v (a, mb, u, ms, b, s, d, f)"
            + "  RETURNING account_id, mailbox_id, uid, modseq),"
            + " c AS (INSERT INTO change (account_id, mailbox_id, modseq, uid, kind)"
            + "  SELECT account_id, mailbox_id, modseq, uid, 'append' FROM m)"
            + " SELECT now() AS save_date";

    // The outbound queue rows of the whole batch in one statement: a message row per delivery with outbound
    // recipients (ids drawn up front, so each recipient row finds its message by ordinal), a recipient row each,
    // due at once. NOTIFY values travel as comma-separated text because unnest cannot take ragged arrays.
    private static final String INSERT_QUEUE = "WITH v AS ("
            + "  SELECT nextval('queue_message_id_seq') AS id, v.* FROM unnest($1::int[], $2::bigint[], $3::bigint[],"
            + "    $4::text[], $5::text[], $6::text[], $7::boolean[], $8::text[], $9::timestamptz[])"
            + "    AS v (ord, blob_id, size, sender, envid, ret, utf8, body, arrival)),"
            + " m AS (INSERT INTO queue_message (id, blob_id, size, sender, envid, ret, utf8, body, arrival)"
            + "  SELECT id, blob_id, size, sender, envid, ret, utf8, body, arrival FROM v),"
            + " r AS (INSERT INTO queue_recipient (message_id, address, domain, notify, orcpt, transport,"
            + "  next_attempt)"
            + "  SELECT v.id, r.address, r.domain, string_to_array(r.notify, ','), r.orcpt, r.transport, v.arrival"
            + "  FROM unnest($10::int[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[])"
            + "    AS r (ord, address, domain, notify, orcpt, transport) JOIN v ON v.ord = r.ord)"
            + " SELECT ord, id FROM v";

    private static final String NOTIFY = "SELECT pg_notify('" + PgMessages.CHANNEL + "', m || ':' || s)"
            + " FROM unnest($1::bigint[], $2::bigint[]) AS n (m, s)";

    private final Database db;
    private final MailboxTree tree;

    BatchWriter(Database db) {
        this.db = db;
        this.tree = new MailboxTree(db);
    }

    /**
     * Outcomes in the order of {@code deliveries}. Errors only when the transaction failed; then it rolled back and
     * none of the deliveries is stored.
     */
    Mono<List<Outcome>> write(List<Delivery> deliveries) {
        return Mono.usingWhen(db.connections().create(),
                connection -> new Batch(connection, deliveries, tree).write(),
                Connection::close,
                (connection, error) -> connection.close(),
                Connection::close);
    }

    /** The state of one batch while it is written; confined to the reactive chain that writes it. */
    private static final class Batch {
        private final Connection connection;
        private final List<Delivery> deliveries;
        /** Distinct recipient accounts of each delivery, in the order given. */
        private final List<List<Long>> recipients = new ArrayList<>();
        /** The copies of each delivery by target mailbox, once the mailboxes are known. */
        private final List<List<Target>> targets = new ArrayList<>();
        private final @Nullable Outcome[] outcomes;
        private final Map<Long, Long> inboxes = new HashMap<>();
        /** The \Junk mailbox of each account that has a quarantined delivery in the batch. */
        private final Map<Long, Long> junk = new HashMap<>();
        /** The names of the mailboxes copies go to other than INBOXes (Junk and named ones), by id. */
        private final Map<Long, String> targetNames = new HashMap<>();
        /** The mailboxes copies name, by account and stored name. */
        private final Map<Map.Entry<Long, String>, Long> named = new HashMap<>();
        private final MailboxTree tree;
        /** The distinct blobs of the deliveries still in the batch. */
        private final BlobBatch blobs = new BlobBatch();
        /** Receipts of the deliveries written, by index; outcomes only once every statement has run. */
        private final Map<Integer, DeliveryReceipt> receipts = new HashMap<>();

        Batch(Connection connection, List<Delivery> deliveries, MailboxTree tree) {
            this.connection = connection;
            this.tree = tree;
            this.deliveries = deliveries;
            this.outcomes = new Outcome[deliveries.size()];
            for (Delivery delivery : deliveries) {
                recipients.add(delivery.accountIds());
            }
        }

        Mono<List<Outcome>> write() {
            return findInboxes()
                    .then(Mono.defer(this::findJunk))
                    .then(Mono.defer(this::findNamed))
                    .then(Mono.fromRunnable(this::resolveTargets))
                    .then(Mono.defer(this::readSmallBlobs))
                    .then(Mono.defer(() -> remaining().isEmpty()
                            ? Mono.<Void>empty() // everything rejected: no transaction at all
                            : Mono.from(connection.beginTransaction())
                                    .then(Mono.defer(() -> blobs.store(connection)))
                                    .then(Mono.defer(this::reserveAndInsert))
                                    .then(Mono.defer(this::queueOutbound))
                                    .then(Mono.fromRunnable(() -> receipts.forEach(
                                            (i, receipt) -> outcomes[i] = new Stored(receipt))))
                                    .then(Mono.from(connection.commitTransaction()))
                                    .onErrorResume(error -> Database.rollback(connection).then(Mono.error(error)))))
                    .then(Mono.fromSupplier(() -> {
                        List<Outcome> result = new ArrayList<>(outcomes.length);
                        for (Outcome outcome : outcomes) {
                            if (outcome == null) {
                                throw new IllegalStateException("a delivery of the batch has no outcome");
                            }
                            result.add(outcome);
                        }
                        return result;
                    }));
        }

        /** Indexes of the deliveries neither rejected nor stored yet. */
        private List<Integer> remaining() {
            List<Integer> indexes = new ArrayList<>();
            for (int i = 0; i < outcomes.length; i++) {
                if (outcomes[i] == null) {
                    indexes.add(i);
                }
            }
            return indexes;
        }

        // Before the transaction, so that a delivery to an unknown account fails alone, not with its batch.
        private Mono<Void> findInboxes() {
            Set<Long> accounts = new TreeSet<>();
            recipients.forEach(accounts::addAll);
            return Database.rows(Database.statement(connection, INBOXES, (Object) accounts.toArray(Long[]::new)),
                            row -> Map.entry(Database.required(row, "account_id", Long.class),
                                    Database.required(row, "id", Long.class)))
                    .doOnNext(inbox -> inboxes.put(inbox.getKey(), inbox.getValue()))
                    .then(Mono.fromRunnable(() -> {
                        for (int i = 0; i < outcomes.length; i++) {
                            List<Long> unknown = recipients.get(i).stream()
                                    .filter(account -> !inboxes.containsKey(account)).toList();
                            if (!unknown.isEmpty()) {
                                outcomes[i] = new Rejected(new DirectoryException(
                                        DirectoryException.Reason.UNKNOWN_ACCOUNT, "no account with ID " + unknown));
                            }
                        }
                        for (int i : remaining()) {
                            // RFC-parsed facts go with a new blob in the same transaction, so FETCH and SEARCH
                            // never find a committed message whose facts are missing when delivery knew them.
                            blobs.add(deliveries.get(i).content(), deliveries.get(i).facts(), i);
                        }
                    }));
        }

        /**
         * The \Junk mailboxes of the accounts with a quarantined delivery; one that has none gets one now (in its own
         * transaction, before the batch's, as an IMAP CREATE would), named Junk — or, when a mailbox of that name
         * exists without the special use, that one is used.
         */
        private Mono<Void> findJunk() {
            Set<Long> accounts = new TreeSet<>();
            for (int i : remaining()) {
                if (deliveries.get(i).junk()) {
                    accounts.addAll(recipients.get(i));
                }
            }
            if (accounts.isEmpty()) {
                return Mono.empty();
            }
            return Database.rows(Database.statement(connection, JUNK, (Object) accounts.toArray(Long[]::new)),
                            row -> {
                                long id = Database.required(row, "id", Long.class);
                                targetNames.put(id, Database.required(row, "name", String.class));
                                return Map.entry(Database.required(row, "account_id", Long.class), id);
                            })
                    .doOnNext(box -> junk.put(box.getKey(), box.getValue()))
                    .thenMany(reactor.core.publisher.Flux.fromIterable(accounts)
                            .filter(account -> !junk.containsKey(account))
                            .concatMap(account -> tree.create(account, JUNK_NAME, "\\Junk")
                                    .onErrorResume(error -> tree.find(account, JUNK_NAME))
                                    .doOnNext(box -> {
                                        junk.put(account, box.id());
                                        targetNames.put(box.id(), box.name());
                                    })))
                    .then();
        }

        /**
         * The mailboxes copies name that exist; a missing one is created when its copy asks for it (in its own
         * transaction, as findJunk does). A copy whose mailbox is still missing, or whose name is not valid, goes to
         * the INBOX.
         */
        private Mono<Void> findNamed() {
            Map<Map.Entry<Long, String>, Boolean> wanted = new LinkedHashMap<>(); // to create?
            for (int i : remaining()) {
                for (Copy copy : deliveries.get(i).copies()) {
                    String name = storedName(copy);
                    if (name != null) {
                        wanted.merge(Map.entry(copy.accountId(), name), copy.create(), Boolean::logicalOr);
                    }
                }
            }
            if (wanted.isEmpty()) {
                return Mono.empty();
            }
            Long[] accounts = wanted.keySet().stream().map(Map.Entry::getKey).toArray(Long[]::new);
            String[] names = wanted.keySet().stream().map(Map.Entry::getValue).toArray(String[]::new);
            return Database.rows(Database.statement(connection, NAMED, accounts, names),
                            row -> Map.entry(Map.entry(Database.required(row, "account_id", Long.class),
                                    Database.required(row, "name", String.class)),
                                    Database.required(row, "id", Long.class)))
                    .doOnNext(box -> {
                        named.put(box.getKey(), box.getValue());
                        targetNames.put(box.getValue(), box.getKey().getValue());
                    })
                    .thenMany(reactor.core.publisher.Flux.fromIterable(wanted.entrySet())
                            .filter(want -> want.getValue() && !named.containsKey(want.getKey()))
                            .map(Map.Entry::getKey)
                            .concatMap(key -> tree.create(key.getKey(), key.getValue(), null)
                                    .onErrorResume(error -> tree.find(key.getKey(), key.getValue()))
                                    .doOnNext(box -> {
                                        named.put(key, box.id());
                                        targetNames.put(box.id(), box.name());
                                    })
                                    // a name the tree refuses (too deep, a limit): the copy goes to the INBOX
                                    .onErrorResume(MailboxException.class, error -> Mono.empty())))
                    .then();
        }

        /** The stored form of the mailbox a copy names, or null for the INBOX (or Junk) and for a name not valid. */
        private static @Nullable String storedName(Copy copy) {
            if (copy.mailbox() == null) {
                return null;
            }
            try {
                String name = MailboxNames.canonical(copy.mailbox());
                return name.equals(MailboxNames.INBOX) ? null : name;
            } catch (MailboxException invalid) {
                return null;
            }
        }

        /** The copies of each delivery still in the batch, by target mailbox, with their flags merged. */
        private void resolveTargets() {
            targets.clear();
            for (int i = 0; i < deliveries.size(); i++) {
                Delivery delivery = deliveries.get(i);
                Map<Long, Target> byMailbox = new LinkedHashMap<>();
                if (outcomes[i] == null) {
                    for (Copy copy : delivery.copies()) {
                        long mailbox = target(delivery, copy);
                        byMailbox.computeIfAbsent(mailbox, id -> new Target(copy.accountId(), id))
                                .flags.addAll(copy.flags());
                    }
                }
                targets.add(List.copyOf(byMailbox.values()));
            }
        }

        /** The mailbox one copy of a delivery goes to. */
        private long target(Delivery delivery, Copy copy) {
            long account = copy.accountId();
            String name = storedName(copy);
            Long box = name != null ? named.get(Map.entry(account, name))
                    : delivery.junk() ? junk.get(account) : null;
            return box != null ? box : inboxes.get(account);
        }

        // Also before the transaction, so that reading a sender's spool holds no locks, and a message that cannot
        // be read or does not match its hash fails alone. A small message is one chunk: holding it is holding one
        // chunk.
        private Mono<Void> readSmallBlobs() {
            return blobs.readSmall((owners, error) -> {
                for (int i : owners) {
                    outcomes[i] = new Rejected(error);
                }
            });
        }

        private Mono<Void> reserveAndInsert() {
            List<Integer> ready = remaining();
            TreeMap<Long, Reservation> reservations = new TreeMap<>(); // by mailbox id
            for (int i : ready) {
                for (Target target : targets.get(i)) {
                    reservations.computeIfAbsent(target.mailboxId, id -> new Reservation(target.accountId)).count++;
                }
            }
            if (reservations.isEmpty()) {
                // Only outbound recipients in this batch: the blobs and the queue rows are all there is to write.
                for (int i : ready) {
                    receipts.put(i, new DeliveryReceipt(blobId(deliveries.get(i)), List.of()));
                }
                return Mono.empty();
            }
            Long[] accountIds = reservations.values().stream().map(r -> r.accountId).toArray(Long[]::new);
            Long[] mailboxIds = reservations.keySet().toArray(Long[]::new);
            Long[] counts = reservations.values().stream().map(r -> (long) r.count).toArray(Long[]::new);
            return Database.rowsUpdated(Database.statement(connection, LOCK_MAILBOXES, accountIds, mailboxIds))
                    .thenMany(Database.rows(Database.statement(connection, RESERVE_UIDS, accountIds, mailboxIds,
                            counts), row -> {
                        Reservation reservation = reservations.get(Database.required(row, "id", Long.class));
                        // uid_next moved up by count: the reserved UIDs are the count just below it.
                        reservation.nextUid = Database.required(row, "uid_next", Long.class) - reservation.count;
                        reservation.modseq = Database.required(row, "highest_modseq", Long.class);
                        return reservation;
                    }))
                    .count()
                    .flatMap(reserved -> reserved == reservations.size()
                            ? insertMessages(ready, reservations)
                            // An account was removed after findInboxes: the batch fails, its senders retry.
                            : Mono.error(new IllegalStateException("a recipient's INBOX was removed during delivery")));
        }

        private Mono<Void> insertMessages(List<Integer> ready, TreeMap<Long, Reservation> reservations) {
            int rows = ready.stream().mapToInt(i -> targets.get(i).size()).sum();
            Long[] accountIds = new Long[rows];
            Long[] mailboxIds = new Long[rows];
            Long[] uids = new Long[rows];
            Long[] modseqs = new Long[rows];
            Long[] blobIds = new Long[rows];
            Long[] sizes = new Long[rows];
            Instant[] dates = new Instant[rows];
            String[] flags = new String[rows];
            int row = 0;
            Map<Integer, List<MessageMeta>> stored = new HashMap<>();
            // Batch order is arrival order, so a mailbox's UIDs follow the order its deliveries came in.
            for (int i : ready) {
                Delivery delivery = deliveries.get(i);
                long blobId = blobId(delivery);
                long size = delivery.content().size();
                // PostgreSQL keeps microseconds; the receipt says what a later read returns.
                Instant date = delivery.internalDate().truncatedTo(ChronoUnit.MICROS);
                List<MessageMeta> metas = new ArrayList<>();
                for (Target target : targets.get(i)) {
                    long account = target.accountId;
                    long mailboxId = target.mailboxId;
                    String[] kept = target.storedFlags();
                    Reservation reservation = reservations.get(mailboxId);
                    long uid = reservation.nextUid++;
                    accountIds[row] = account;
                    mailboxIds[row] = mailboxId;
                    uids[row] = uid;
                    modseqs[row] = reservation.modseq;
                    blobIds[row] = blobId;
                    sizes[row] = size;
                    dates[row] = date;
                    flags[row] = String.join(" ", kept); // no flag holds a space (an atom, RFC 3501 §9)
                    row++;
                    metas.add(new MessageMeta(account, mailboxId, uid, reservation.modseq, blobId, size, date,
                            Set.of(kept)));
                }
                stored.put(i, metas);
            }
            Long[] notifyMailboxes = reservations.keySet().toArray(Long[]::new);
            Long[] notifyModseqs = reservations.values().stream().map(r -> r.modseq).toArray(Long[]::new);
            return Database.rows(Database.statement(connection, INSERT_MESSAGES,
                            accountIds, mailboxIds, uids, modseqs, blobIds, sizes, dates, flags),
                            result -> Database.required(result, "save_date", Instant.class))
                    .single()
                    .doOnNext(saveDate -> stored.forEach((i, metas) -> receipts.put(i,
                            new DeliveryReceipt(blobId(deliveries.get(i)), metas.stream()
                                    .map(meta -> new MessageMeta(meta.accountId(), meta.mailboxId(), meta.uid(),
                                            meta.modseq(), meta.blobId(), meta.size(), meta.internalDate(),
                                            meta.flags(), saveDate))
                                    .toList(), null, mailboxNames(metas)))))
                    // Queued by PostgreSQL and delivered to listeners only if the transaction commits.
                    .then(Database.rowsUpdated(Database.statement(connection, NOTIFY, notifyMailboxes, notifyModseqs)))
                    .then();
        }

        /** The name of each mailbox {@code metas} went to: INBOX unless Junk or a named mailbox. */
        private Map<Long, String> mailboxNames(List<MessageMeta> metas) {
            Map<Long, String> found = new HashMap<>();
            for (MessageMeta meta : metas) {
                found.put(meta.mailboxId(), targetNames.getOrDefault(meta.mailboxId(), MailboxNames.INBOX));
            }
            return found;
        }

        private long blobId(Delivery delivery) {
            return blobs.id(delivery.content());
        }

        /**
         * One statement for the queue rows of every delivery of the batch that has outbound recipients: a queue
         * message per delivery and envelope sender (forwarded copies leave with their own, SRS, sender).
         */
        private Mono<Void> queueOutbound() {
            List<Integer> queued = receipts.keySet().stream().sorted()
                    .filter(i -> !deliveries.get(i).outbound().isEmpty()).toList();
            if (queued.isEmpty()) {
                return Mono.empty();
            }
            List<Integer> owners = new ArrayList<>(); // the delivery of each queue message
            List<String> groupSenders = new ArrayList<>();
            List<List<OutboundRecipient>> groups = new ArrayList<>();
            for (int i : queued) {
                Delivery delivery = deliveries.get(i);
                Map<String, List<OutboundRecipient>> bySender = new LinkedHashMap<>();
                for (OutboundRecipient recipient : new LinkedHashSet<>(delivery.outbound())) {
                    String sender = recipient.sender() == null ? delivery.envelope().sender() : recipient.sender();
                    bySender.computeIfAbsent(sender, s -> new ArrayList<>()).add(recipient);
                }
                bySender.forEach((sender, recipients) -> {
                    owners.add(i);
                    groupSenders.add(sender);
                    groups.add(recipients);
                });
            }
            int messages = groups.size();
            Integer[] ords = new Integer[messages];
            Long[] blobIds = new Long[messages];
            Long[] sizes = new Long[messages];
            String[] senders = new String[messages];
            String[] envIds = new String[messages];
            String[] rets = new String[messages];
            Boolean[] utf8 = new Boolean[messages];
            String[] bodies = new String[messages];
            Instant[] arrivals = new Instant[messages];
            List<Integer> recipientOrds = new ArrayList<>();
            List<String> addresses = new ArrayList<>();
            List<String> domains = new ArrayList<>();
            List<String> notify = new ArrayList<>();
            List<String> orcpts = new ArrayList<>();
            List<String> transports = new ArrayList<>();
            for (int m = 0; m < messages; m++) {
                Delivery delivery = deliveries.get(owners.get(m));
                Envelope envelope = delivery.envelope();
                ords[m] = m;
                blobIds[m] = blobId(delivery);
                sizes[m] = delivery.content().size();
                senders[m] = groupSenders.get(m);
                envIds[m] = envelope.envId();
                rets[m] = envelope.ret() == null ? null : envelope.ret().name();
                utf8[m] = envelope.utf8();
                bodies[m] = envelope.body().keyword();
                arrivals[m] = delivery.internalDate().truncatedTo(ChronoUnit.MICROS);
                for (OutboundRecipient recipient : groups.get(m)) {
                    recipientOrds.add(m);
                    addresses.add(recipient.address());
                    domains.add(QueuedRecipient.domainOf(recipient.address()));
                    notify.add(String.join(",", recipient.notifyOn().stream().map(Enum::name).sorted().toList()));
                    orcpts.add(recipient.orcpt());
                    transports.add(recipient.transport());
                }
            }
            return Database.rows(Database.statement(connection, INSERT_QUEUE, ords, blobIds, sizes, senders,
                                    envIds, rets, utf8, bodies, arrivals, recipientOrds.toArray(Integer[]::new),
                                    addresses.toArray(String[]::new), domains.toArray(String[]::new),
                                    notify.toArray(String[]::new), orcpts.toArray(String[]::new),
                                    transports.toArray(String[]::new)),
                            row -> Map.entry(Database.required(row, "ord", Integer.class),
                                    Database.required(row, "id", Long.class)))
                    .collectSortedList(Map.Entry.comparingByKey())
                    .flatMap(rows -> {
                        if (rows.size() != messages) {
                            return Mono.error(new IllegalStateException("queued " + rows.size() + " of " + messages
                                    + " outbound messages"));
                        }
                        // a delivery's receipt names its first queue message (the one with the message's sender)
                        for (Map.Entry<Integer, Long> queue : rows) {
                            receipts.computeIfPresent(owners.get(queue.getKey()), (i, receipt) ->
                                    receipt.queuedMessageId() != null ? receipt : receipt.queued(queue.getValue()));
                        }
                        return Mono.<Void>empty();
                    });
        }
    }

    /** The copy of one delivery for one mailbox: its account, and the flags of every copy that ended there. */
    private static final class Target {
        final long accountId;
        final long mailboxId;
        final Set<String> flags = new LinkedHashSet<>();

        Target(long accountId, long mailboxId) {
            this.accountId = accountId;
            this.mailboxId = mailboxId;
        }

        /** The flags as stored; one that is not valid is left out (the copy is stored, not refused, for it). */
        String[] storedFlags() {
            List<String> valid = new ArrayList<>();
            for (String flag : flags) {
                try {
                    valid.addAll(List.of(Flags.canonical(List.of(flag))));
                } catch (MailboxException invalid) {
                    // a keyword IMAP could not show
                }
            }
            return Flags.canonical(valid.size() > Flags.MAX_FLAGS ? valid.subList(0, Flags.MAX_FLAGS) : valid);
        }
    }

    /** The UIDs and the modseq one mailbox gets in a batch. */
    private static final class Reservation {
        final long accountId;
        int count;
        long nextUid;
        long modseq;

        Reservation(long accountId) {
            this.accountId = accountId;
        }
    }
}
