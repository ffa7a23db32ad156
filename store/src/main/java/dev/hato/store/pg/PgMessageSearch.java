package dev.hato.store.pg;

import dev.hato.store.MessageFacts;
import dev.hato.store.MessageSearch;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Result;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import reactor.core.publisher.Flux;

/**
 * SEARCH text keys and SORT/THREAD fields from {@code blob_facts} (V6, V7). A text query of two characters or more
 * is answered through the bigram GIN indexes and rechecked with {@code strpos}; a shorter one by {@code strpos}
 * alone over the mailbox's messages. Every statement names the account first (the distribution column).
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

    private final Database db;

    PgMessageSearch(Database db) {
        this.db = db;
    }

    @Override
    public Flux<Long> find(long accountId, long mailboxId, TextQuery query, int messages) {
        Objects.requireNonNull(query, "query");
        String text = query.text();
        Object[] parameters = query.scope() == Scope.FIELD
                ? new Object[] {accountId, mailboxId, text, Objects.requireNonNull(query.field())}
                : new Object[] {accountId, mailboxId, text};
        if (messages <= SCAN_BELOW) {
            // The bigram index spans every blob of every account: for a word common in the whole installation its
            // candidates are far more than a small mailbox holds, so the mailbox's own texts are read instead.
            return db.query(sql(query, false), row -> Database.required(row, "uid", Long.class), parameters);
        }
        // Both ways to a common word charge search_grams per row in the plan (the bitmap heap scan for its recheck
        // condition, which at run time it evaluates only for lossy pages), so for a word in most messages the planner
        // picks the sequential scan and then really computes the bigrams of every body: a minute for 100,000
        // messages. Sequential scans are priced out for this one statement (ADR 0005).
        return db.inTransaction(connection -> Flux.from(Database.statement(connection,
                                "SET LOCAL enable_seqscan = off").execute())
                        .concatMap(Result::getRowsUpdated)
                        .thenMany(Database.rows(Database.statement(connection, sql(query, true), parameters),
                                row -> Database.required(row, "uid", Long.class))));
    }

    /**
     * The statement of a text query; parameters account, mailbox, text and, for a field, its name. {@code useIndex}:
     * through the bigram index (a query of one character has no bigram and never is).
     */
    static String sql(TextQuery query, boolean useIndex) {
        String text = query.text();
        boolean indexed = useIndex && text.codePointCount(0, text.length()) >= 2;
        return switch (query.scope()) {
            case FIELD -> "SELECT m.uid" + FROM_MAILBOX + contains("header_text", indexed) + FIELD_CONTAINS;
            case BODY -> "SELECT m.uid" + FROM_MAILBOX + contains("body_text", indexed);
            // A union, not "header OR body": with OR, PostgreSQL rechecks the whole condition on every candidate,
            // computing search_grams of both texts per message (ADR 0005).
            case TEXT -> "SELECT m.uid" + FROM_MAILBOX + contains("header_text", indexed)
                    + " UNION SELECT m.uid" + FROM_MAILBOX + contains("body_text", indexed);
        } + " ORDER BY uid";
    }

    private static String contains(String column, boolean indexed) {
        String recheck = " AND strpos(f." + column + ", $3) > 0";
        // The same expression as the V7 index, so that the planner can use it.
        return indexed ? " AND search_grams(f." + column + ") @> search_grams($3)" + recheck : recheck;
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
                        + " AS subject"
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
                Database.required(row, "subject", String.class));
    }
}
