package dev.hato.bench;

import dev.hato.imap.search.ImapSearch;
import dev.hato.imap.search.SearchContext;
import dev.hato.imap.search.SearchResult;
import dev.hato.imap.wire.SearchKey;
import dev.hato.store.mail.MessageMeta;
import dev.hato.store.pg.PgStore;
import dev.hato.store.pg.StoreSettings;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Statement;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Flux;

/**
 * IMAP {@code SEARCH BODY <string>} in one mailbox of {@link #messages} messages in a real embedded PostgreSQL,
 * through {@link ImapSearch} as the session calls it: the store query over the bigram GIN index (V7) and the
 * evaluation over the session's message list. One operation is one search.
 *
 * <p>The mailbox is filled in the setup by SQL (100,000 messages take a minute or two, the index updates included):
 * each body is 150 words (about 1,300 characters) drawn from a vocabulary of English and Japanese office words with
 * a number appended ({@code budget17}, {@code 東京123}), so every plain word is in almost every message. The
 * queries: a word in 1 % of the messages (English {@code zebra}, Japanese {@code 北海道}), a word in none
 * ({@code xylophone}, {@code 沖縄県}), and a word in every message ({@code 打ち合わせ}: the index cannot narrow it down,
 * every body is rechecked, the worst case).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BodySearchBenchmark {

    /** Messages in the searched mailbox. */
    @Param({"100000"})
    public int messages;

    /** The string searched for, by name: see the class comment. */
    @Param({"zebra", "xylophone", "北海道", "沖縄県", "打ち合わせ"})
    public String query;

    private Path dataDirectory = Path.of(".");
    private PgStore store;
    private ImapSearch search;
    private SearchContext context;
    private SearchKey key;

    /** What each query must find, so a broken index fails the run instead of measuring nonsense. */
    private static final Map<String, Double> SHARE = Map.of("zebra", 0.01, "xylophone", 0.0, "北海道", 0.01,
            "沖縄県", 0.0, "打ち合わせ", 1.0);

    @Setup(Level.Trial)
    public void fill() throws IOException {
        dataDirectory = Files.createTempDirectory("hato-bench-search-");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        StoreSettings defaults = StoreSettings.defaults(dataDirectory);
        store = PgStore.open(new StoreSettings(dataDirectory, null, null, null, port, defaults.poolSize(),
                defaults.batchWindow(), defaults.batchSize()));
        ConnectionFactory sql = new PostgresqlConnectionFactory(PostgresqlConnectionConfiguration.builder()
                .host("127.0.0.1").port(port).database("postgres").username("postgres").build());
        long account = id(sql, "WITH d AS (INSERT INTO domain (name) VALUES ('bench.example') RETURNING id)"
                + " INSERT INTO account (domain_id, address, auth_id) SELECT id, 'ann@bench.example', 'ann.bench'"
                + " FROM d RETURNING id");
        long mailbox = id(sql, "INSERT INTO mailbox (account_id, name, uidvalidity) VALUES ($1, 'INBOX', 1)"
                + " RETURNING id", account);
        id(sql, FILL, account, mailbox, messages);
        id(sql, "UPDATE mailbox SET uid_next = $3 + 1 WHERE account_id = $1 AND id = $2 RETURNING id", account,
                mailbox, messages);
        // As autovacuum does after so many insertions (PostgreSQL 13 on vacuums insert-only tables too): the
        // visibility map then lets the count of the index's candidates skip their heap pages.
        id(sql, "VACUUM ANALYZE blob_facts");
        id(sql, "VACUUM ANALYZE message");
        List<MessageMeta> list = store.messages().messages(account, mailbox).collectList().block();
        context = new SearchContext(account, mailbox, list, Set.of(), List.of(), ZoneOffset.UTC, Instant.now());
        search = new ImapSearch(store.search());
        key = new SearchKey.Text(SearchKey.Field.BODY, query);
        int found = search().uids().size();
        int expected = (int) Math.round(SHARE.get(query) * messages);
        if (found != expected) {
            throw new IllegalStateException("BODY " + query + " found " + found + " messages, not " + expected);
        }
    }

    /**
     * 150 words per body, the n-th word of message u chosen by (u * 7919 + n * 104729) mod 22; "zebra" and "北海道"
     * are added to one message in a hundred each.
     */
    private static final String FILL = """
            WITH b AS (
                INSERT INTO blob (sha256, size)
                SELECT sha256(convert_to('bench-' || g, 'UTF8')), 1500 FROM generate_series(1, $3) g
                RETURNING id),
            n AS (SELECT id, row_number() OVER (ORDER BY id) AS uid FROM b),
            f AS (
                INSERT INTO blob_facts (blob_id, structure, header_text, body_text, base_subject, sort_from, sort_to,
                                        sort_cc)
                SELECT id, '\\x00', 'from: user' || uid || '@example.org' || E'\\n' || 'subject: report ' || uid,
                       (SELECT string_agg((ARRAY['meeting', 'report', 'budget', 'schedule', 'project', 'lunch',
                            'review', 'deadline', 'server', 'mail', '会議', '報告書', '予算', '日程', '打ち合わせ',
                            '締め切り', 'サーバー', 'メール', '東京', '大阪', 'お疲れ様です', 'よろしくお願いします'])
                            [1 + (uid * 7919 + k * 104729) % 22] || ((uid * 31 + k) % 997), ' ')
                        FROM generate_series(1, 150) k)
                       || CASE WHEN uid % 100 = 0 THEN ' zebra' ELSE '' END
                       || CASE WHEN uid % 100 = 50 THEN ' 北海道' ELSE '' END
                       || ' 打ち合わせ',
                       'report ' || uid, 'user' || uid || '@example.org', '', ''
                FROM n
                RETURNING blob_id)
            INSERT INTO message (account_id, mailbox_id, uid, modseq, blob_id, size, internal_date)
            SELECT $1, $2, uid, 1, id, 1500, timestamptz '2024-01-01' + uid * interval '1 minute' FROM n
            RETURNING 1
            """;

    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        DataDirectory.delete(dataDirectory);
    }

    @Benchmark
    public SearchResult search() {
        return search.search(context, key, "UTF-8").block(Duration.ofSeconds(60));
    }

    private static long id(ConnectionFactory sql, String statement, Object... parameters) {
        List<Object> values = Flux.usingWhen(sql.create(), connection -> {
                    Statement s = connection.createStatement(statement);
                    for (int i = 0; i < parameters.length; i++) {
                        s.bind(i, parameters[i]);
                    }
                    return Flux.from(s.execute()).concatMap(result -> result.map((row, meta) -> row.get(0)));
                }, Connection::close)
                .collectList()
                .block(Duration.ofMinutes(30));
        return values.isEmpty() ? 0 : ((Number) values.get(0)).longValue();
    }
}
