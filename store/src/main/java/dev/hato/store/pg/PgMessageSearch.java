package dev.hato.store.pg;

import dev.hato.store.mail.MessageFacts;
import dev.hato.store.mail.MessageSearch;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * SEARCH text keys and SORT/THREAD fields from {@code blob_facts} (V6, V7, V12). In a mailbox of more than
 * {@link #SCAN_BELOW} messages, a text query of two characters or more is answered through the bigram GIN indexes
 * and rechecked with {@code strpos}, unless the index has more candidates in the whole installation than the mailbox
 * has messages; then, as in a smaller mailbox and for a query of one character, the mailbox's texts are read through
 * with {@code strpos}. Every statement names the account first (the distribution column).
 */
final class PgMessageSearch implements MessageSearch {

    private static final String FROM_MAILBOX = " FROM message m JOIN blob_facts f ON f.blob_id = m.blob_id"
            + " WHERE m.account_id = $1 AND m.mailbox_id = $2";

    /** Whether the header text holds a line {@code <field>: ...} whose value contains the query. */
    private static final String FIELD_CONTAINS = " AND EXISTS (SELECT 1 FROM regexp_split_to_table(f.header_text,"
            + " E'\\n') AS line WHERE starts_with(line, $4 || ':') AND strpos(substr(line, length($4) + 2), $3) > 0)";

    /**
     * Mailboxes of up to this many messages are searched by reading their texts ({@code strpos} on each), larger ones
     * through the bigram index and a recheck of its candidates.
     */
    static final int SCAN_BELOW = 2_000;

    /**
     * Set for the indexed statements, in their transaction only. With other scans open, the planner preferred for a
     * word in most messages a scan that evaluates the key condition row by row: when the keys were an expression
     * (V7) that meant computing the bigrams of every body, 48 s for 100,000 messages, and still 17 to 36 s with only
     * sequential scans priced out (docs/benchmarks.md); with stored keys (V12) it means reading every row's keys from
     * out of line. With sequential and index scans both priced out, the only way into {@code blob_facts} for a
     * statement that does not join it is the GIN bitmap. {@code work_mem} keeps that bitmap exact for a word in
     * about a million heap pages of texts (a lossy page would have every row on it rechecked through its keys);
     * the plans depend on the query text, so a cached generic plan, made without it, is never used. No parallel
     * workers: on the shared two-core machine the parallel bitmap heap scan made a search of a word in every message
     * slower (800 ms to 1 s against 420 to 630 ms), and one user's search should not take every core from the others.
     */
    static final String BITMAP_ONLY = "SELECT set_config('enable_seqscan', 'off', true),"
            + " set_config('enable_indexscan', 'off', true), set_config('work_mem', '64MB', true),"
            + " set_config('plan_cache_mode', 'force_custom_plan', true),"
            + " set_config('max_parallel_workers_per_gather', '0', true)";

    /** Back to the planner's own choice for a statement without the search keys (reading a mailbox through). */
    private static final String PLANNER_CHOICE = "SELECT set_config('enable_seqscan', 'on', true),"
            + " set_config('enable_indexscan', 'on', true)";

    /** How a text query of a large mailbox is answered. */
    enum Way {
        /** The mailbox's messages, each text rechecked with {@code strpos}. */
        READ_THROUGH,
        /** The candidates of the installation-wide bigram index, each rechecked with {@code strpos}. */
        INDEX
    }

    private final Database db;

    PgMessageSearch(Database db) {
        this.db = db;
    }

    @Override
    public Flux<Long> find(long accountId, long mailboxId, TextQuery query, int messages) {
        Objects.requireNonNull(query, "query");
        Object[] parameters = parameters(accountId, mailboxId, query, null);
        if (readsThrough(query, messages)) {
            // The bigram index spans every blob of every account: for a word common in the whole installation its
            // candidates are far more than a small mailbox holds, so the mailbox's own texts are read instead.
            return db.query(sql(query, false), PgMessageSearch::uids, parameters).flatMapIterable(Arrays::asList);
        }
        Integer[] grams = SearchGrams.parameter(query.text());
        return db.inTransaction(connection -> set(connection, BITMAP_ONLY)
                .then(way(connection, query, grams, messages))
                .flatMapMany(way -> way == Way.INDEX
                        ? Database.rows(Database.statement(connection, sql(query, true),
                                parameters(accountId, mailboxId, query, grams)), PgMessageSearch::uids)
                        : set(connection, PLANNER_CHOICE).thenMany(Database.rows(
                                Database.statement(connection, sql(query, false), parameters),
                                PgMessageSearch::uids))))
                .flatMapIterable(Arrays::asList);
    }

    /** How {@link #find} answers {@code query} in a mailbox of {@code messages} messages (for tests). */
    Mono<Way> way(TextQuery query, int messages) {
        if (readsThrough(query, messages)) {
            return Mono.just(Way.READ_THROUGH);
        }
        return db.inTransaction(connection -> set(connection, BITMAP_ONLY)
                        .then(way(connection, query, SearchGrams.parameter(query.text()), messages)))
                .single();
    }

    /**
     * Counts the index's candidates, installation-wide, up to one more than the mailbox's messages. Rechecking a
     * candidate (a heap fetch in block order, the text, {@code strpos}, a probe into the mailbox) costs about what
     * reading one message of the mailbox through costs (a primary key probe, the text, {@code strpos}), so the index
     * pays while it has no more candidates than the mailbox has messages. A word common in the whole installation
     * but searched in one mailbox thus costs that mailbox's size, not the installation's. The count reads no text:
     * the candidates' heap tuples are only counted (PostgreSQL 16.4 skips even that for all-visible pages).
     */
    private static Mono<Way> way(Connection connection, TextQuery query, Integer[] grams, int messages) {
        String sql = switch (query.scope()) {
            case FIELD -> "SELECT " + candidates("header_grams");
            case BODY -> "SELECT " + candidates("body_grams");
            case TEXT -> "SELECT " + candidates("header_grams") + " + " + candidates("body_grams");
        } + " AS n";
        return Database.rows(Database.statement(connection, sql, grams, (long) messages + 1),
                        row -> Database.required(row, "n", Long.class))
                .single()
                .map(n -> n > messages ? Way.READ_THROUGH : Way.INDEX);
    }

    private static String candidates(String keys) {
        return "(SELECT count(*) FROM (SELECT FROM blob_facts f WHERE f." + keys + " @> $1::int4[] LIMIT $2) c)";
    }

    private static Mono<Void> set(Connection connection, String settings) {
        return Flux.from(Database.statement(connection, settings).execute())
                .concatMap(result -> result.map(row -> 1))
                .then();
    }

    private static Long[] uids(Readable row) {
        return Database.required(row, "uids", Long[].class);
    }

    /**
     * Account, mailbox, text, the field's name for a field query and, for the statement through the index, the
     * query's search keys ({@link #keysParameter}).
     */
    private static Object[] parameters(long accountId, long mailboxId, TextQuery query, Integer @Nullable [] keys) {
        List<Object> parameters = new ArrayList<>(List.of(accountId, mailboxId, query.text()));
        if (query.scope() == Scope.FIELD) {
            parameters.add(Objects.requireNonNull(query.field()));
        }
        if (keys != null) {
            parameters.add(keys);
        }
        return parameters.toArray();
    }

    /** The placeholder of the query's search keys in the statement through the index. */
    private static String keysParameter(TextQuery query) {
        return query.scope() == Scope.FIELD ? "$5" : "$4";
    }

    /** Whether the mailbox is read through without asking the index: a small mailbox, or a query without bigrams. */
    private static boolean readsThrough(TextQuery query, int messages) {
        return messages <= SCAN_BELOW || !indexable(query);
    }

    /** A query of one character (or none) has no bigram and never uses the index. */
    private static boolean indexable(TextQuery query) {
        return query.text().codePointCount(0, query.text().length()) >= 2;
    }

    /**
     * The statement of a text query; parameters account, mailbox, text and, for a field, its name. {@code useIndex}:
     * through the bigram index (a query of one character has no bigram and never is).
     */
    static String sql(TextQuery query, boolean useIndex) {
        if (!useIndex || !indexable(query)) {
            String recheck = " AND strpos(f.%s, $3) > 0";
            String read = switch (query.scope()) {
                case FIELD -> "SELECT m.uid" + FROM_MAILBOX + recheck.formatted("header_text") + FIELD_CONTAINS;
                case BODY -> "SELECT m.uid" + FROM_MAILBOX + recheck.formatted("body_text");
                case TEXT -> "SELECT m.uid" + FROM_MAILBOX + " AND (strpos(f.header_text, $3) > 0"
                        + " OR strpos(f.body_text, $3) > 0)";
            };
            return uids(read);
        }
        // The texts holding the query come first, from the index alone (a materialized CTE is planned on its own, so
        // the bitmap is its only way into blob_facts), and only then meet the mailbox's messages.
        String keys = keysParameter(query);
        String candidates = switch (query.scope()) {
            case FIELD -> contains("header", keys) + FIELD_CONTAINS;
            case BODY -> contains("body", keys);
            // A union, not "header OR body": with OR, PostgreSQL rechecks the whole condition on every candidate.
            case TEXT -> contains("header", keys) + " UNION " + contains("body", keys);
        };
        return uids("WITH c AS MATERIALIZED (" + candidates + ") SELECT m.uid FROM message m"
                + " JOIN c ON c.blob_id = m.blob_id WHERE m.account_id = $1 AND m.mailbox_id = $2");
    }

    /**
     * The UIDs a statement selects, ascending, as one array: one row through the driver however many messages match
     * (a word in every message of a large mailbox would otherwise be a row per message).
     */
    private static String uids(String statement) {
        return "SELECT coalesce(array_agg(uid ORDER BY uid), '{}') AS uids FROM (" + statement + ") s";
    }

    /** The texts ({@code header} or {@code body}) whose keys hold the query's, rechecked with {@code strpos}. */
    private static String contains(String part, String keys) {
        return "SELECT f.blob_id FROM blob_facts f WHERE f." + part + "_grams @> " + keys + "::int4[]"
                + " AND strpos(f." + part + "_text, $3) > 0";
    }

    @Override
    public Flux<SortRow> sortFields(long accountId, long mailboxId) {
        // A message without facts (stored before they were parsed) still sorts, with empty fields (RFC 5256 §2.2:
        // a missing Date sorts by INTERNALDATE, which the gateway knows).
        return db.query("SELECT m.uid, coalesce(f.base_subject, '') AS base_subject,"
                        + " coalesce(f.sort_from, '') AS sort_from, coalesce(f.sort_to, '') AS sort_to,"
                        + " coalesce(f.sort_cc, '') AS sort_cc, f.sent_date, f.message_id,"
                        + " coalesce(f.refs, '{}') AS refs, f.display_from, f.display_to,"
                        + " coalesce(substring(f.header_text from '(?:^|\\n)subject:[ \\t]*([^\\n]*)'), '')"
                        + " AS subject,"
                        + " coalesce(substring(f.header_text from '(?:^|\\n)date:[ \\t]*([^\\n]*)'), '') AS date"
                        + " FROM message m LEFT JOIN blob_facts f ON f.blob_id = m.blob_id"
                        + " WHERE m.account_id = $1 AND m.mailbox_id = $2 ORDER BY m.uid",
                PgMessageSearch::sortRow, accountId, mailboxId);
    }

    private static SortRow sortRow(Readable row) {
        OffsetDateTime sent = row.get("sent_date", OffsetDateTime.class);
        String[] refs = Database.required(row, "refs", String[].class);
        Instant sentDate = sent == null ? null : sent.toInstant();
        var fields = new MessageFacts.SortFields(Database.required(row, "base_subject", String.class),
                Database.required(row, "sort_from", String.class), Database.required(row, "sort_to", String.class),
                Database.required(row, "sort_cc", String.class), sentDate, row.get("message_id", String.class),
                List.copyOf(Arrays.asList(refs)), row.get("display_from", String.class),
                row.get("display_to", String.class));
        return new SortRow(Database.required(row, "uid", Long.class), fields,
                Database.required(row, "subject", String.class), Database.required(row, "date", String.class));
    }
}
