package dev.hato.store.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.mail.MessageSearch.SortRow;
import dev.hato.store.mail.MessageSearch.TextQuery;
import dev.hato.store.mail.MessageSearch;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;

class PgMessageSearchTest {

    @RegisterExtension
    static final EmbeddedStore STORE = new EmbeddedStore();

    private static final AtomicLong NEXT = new AtomicLong();

    private static long account;
    private static long inbox;
    private static long other;

    @BeforeAll
    static void fillAMailbox() {
        account = newAccount();
        inbox = newMailbox(account, "INBOX");
        other = newMailbox(account, "Other");
        // uid 1
        message(account, inbox, "from: ann <ann@example.org>\nsubject: re: budget 2024\nx-spam: yes\n",
                "the budget meeting moved to friday.\n");
        // uid 2: Japanese, as the indexer stores it (decoded from ISO-2022-JP, NFKC, lower case)
        message(account, inbox, "from: 山田 太郎 <yamada@example.jp>\nsubject: 会議の日程\n",
                "来週の打ち合わせは東京で行います。よろしくお願いします。\n");
        // uid 3: "ann" only in the body, "budget" only in another field
        message(account, inbox, "from: bob <bob@example.org>\nsubject: lunch\nkeywords: budget\n",
                "ann will join us.\n");
        // a message with the same text in another mailbox, which no search of the inbox may return
        message(account, other, "from: ann <ann@example.org>\nsubject: budget\n", "the budget meeting\n");
    }

    private static MessageSearch search() {
        return STORE.store().search();
    }

    /** Both ways the store looks (reading a small mailbox through, the index for a large one) must agree. */
    private static List<Long> find(TextQuery query) {
        List<Long> scanned = search().find(account, inbox, query, 3).collectList().block();
        List<Long> indexed = search().find(account, inbox, query, PgMessageSearch.SCAN_BELOW + 1).collectList()
                .block();
        assertThat(indexed).as("through the bigram index, " + query).isEqualTo(scanned);
        return scanned;
    }

    @Test
    void aBodySearchShouldFindASubstringOnlyInTheSearchedMailbox() {
        assertThat(find(TextQuery.body("budget meet"))).containsExactly(1L);
        assertThat(find(TextQuery.body("dget mee"))).containsExactly(1L);
    }

    @Test
    void aBodySearchShouldNotFindAStringWhoseBigramsAreAllPresentButNotInOrder() {
        // "ting mee" has only bigrams that uid 1 holds ("ti", "in", "ng", "g ", " m", "me", "ee").
        assertThat(find(TextQuery.body("ting mee"))).isEmpty();
    }

    @Test
    void japaneseWordsShouldBeFoundByTheirCharacters() {
        assertThat(find(TextQuery.body("打ち合わせ"))).containsExactly(2L);
        assertThat(find(TextQuery.body("東京"))).containsExactly(2L);
        assertThat(find(TextQuery.body("大阪"))).isEmpty();
        assertThat(find(TextQuery.field("subject", "日程"))).containsExactly(2L);
    }

    @Test
    void aOneCharacterQueryShouldBeAnsweredWithoutTheIndex() {
        assertThat(find(TextQuery.body("京"))).containsExactly(2L);
        assertThat(find(TextQuery.body("?"))).isEmpty();
    }

    @Test
    void aFieldSearchShouldLookOnlyInThatField() {
        assertThat(find(TextQuery.field("from", "ann"))).containsExactly(1L);
        assertThat(find(TextQuery.field("subject", "budget"))).containsExactly(1L);
        assertThat(find(TextQuery.field("keywords", "budget"))).containsExactly(3L);
        assertThat(find(TextQuery.field("to", "ann"))).isEmpty();
    }

    @Test
    void aFieldNameShouldNotMatchALongerFieldName() {
        // "x-spam" is a field; "spam" is not.
        assertThat(find(TextQuery.field("spam", ""))).isEmpty();
        assertThat(find(TextQuery.field("x-spam", "yes"))).containsExactly(1L);
    }

    @Test
    void anEmptyFieldValueShouldMatchEveryMessageThatHasTheField() {
        assertThat(find(TextQuery.field("x-spam", ""))).containsExactly(1L);
        assertThat(find(TextQuery.field("from", ""))).containsExactly(1L, 2L, 3L);
    }

    @Test
    void aTextSearchShouldLookInHeaderAndBody() {
        assertThat(find(TextQuery.text("ann"))).containsExactly(1L, 3L);
        assertThat(find(TextQuery.text("yamada@"))).containsExactly(2L);
        assertThat(find(TextQuery.text("nothing like this"))).isEmpty();
    }

    @Test
    void theKeysShouldBeTheDistinctCharacterPairsWhateverTheLocale() {
        assertThat(SearchGrams.of("会議会議x")).containsExactly(sorted(key('会', '議'), key('議', '会'), key('議', 'x')));
        assertThat(SearchGrams.of("a")).isEmpty();
        assertThat(SearchGrams.of("")).isEmpty();
        // Line ends are characters like any other.
        assertThat(SearchGrams.of("a\nb")).containsExactly(sorted(key('a', '\n'), key('\n', 'b')));
    }

    @Test
    void theDatabaseShouldComputeTheSameKeysAsJavaForRowsWrittenWithoutThem() {
        List<String> texts = List.of("打ち合わせは東京で", "abcdefg", "ab", "a", "", "a\u0001b\u0001", "x打y",
                "emoji \uD83D\uDE00\uD83D\uDE01 and 𠮷野家", "\uFFFF\uFFFE\u8000\u7FFF", "budget 2024\nsubject: x");
        for (String text : texts) {
            assertThat(TestSql.rows(STORE.store(), "SELECT pair_grams($1)::text", text)).as(text)
                    .containsExactly(List.of(SearchGrams.literal(SearchGrams.of(text))));
        }
        // Random mixes of ASCII, other BMP characters (Latin-1, kana, kanji, the last code points) and emoji.
        java.util.Random random = new java.util.Random(13);
        int[] alphabet = {'a', 'Z', ' ', '\n', '~', 0x7F, 0x80, 0xE9, 0x3042, 0x4E00, 0x8000, 0xFFFD, 0xFFFF, 0x1F600,
                0x20BB7};
        for (int round = 0; round < 100; round++) {
            StringBuilder text = new StringBuilder();
            for (int i = random.nextInt(60); i > 0; i--) {
                text.appendCodePoint(alphabet[random.nextInt(alphabet.length)]);
            }
            assertThat(TestSql.rows(STORE.store(), "SELECT pair_grams($1)::text", text.toString())).as(text.toString())
                    .containsExactly(List.of(SearchGrams.literal(SearchGrams.of(text.toString()))));
        }
        // The trigger fills in the keys of a row inserted without them (message() below inserts such rows).
        long blob = message(account, other, "subject: keys\n", "会議の日程");
        assertThat(TestSql.rows(STORE.store(), "SELECT body_grams::text, header_grams::text FROM blob_facts"
                + " WHERE blob_id = $1", blob)).containsExactly(List.of(SearchGrams.literal(SearchGrams.of("会議の日程")),
                SearchGrams.literal(SearchGrams.of("subject: keys\n"))));
    }

    @Test
    void aQueryFoundInATextShouldHaveItsKeysAmongTheTexts() {
        List<String> texts = List.of("打ち合わせは東京で", "abcdefg", "ab", "a\u0001b\u0001", "x打y", "a😀b😀😀c");
        for (String text : texts) {
            Set<Integer> keys = Arrays.stream(SearchGrams.of(text)).boxed().collect(Collectors.toSet());
            // Every substring that starts and ends between characters (never inside a surrogate pair).
            for (int from = 0; from < text.length(); from = text.offsetByCodePoints(from, 1)) {
                for (int to = text.offsetByCodePoints(from, 1); to <= text.length();
                        to = to == text.length() ? to + 1 : text.offsetByCodePoints(to, 1)) {
                    String query = text.substring(from, to);
                    assertThat(keys).as(query + " in " + text)
                            .containsAll(Arrays.stream(SearchGrams.of(query)).boxed().toList());
                }
            }
        }
    }

    @Test
    void aLongTextShouldGiveEachKeyOnce() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 100_000; i++) {
            text.appendCodePoint(0x4E00 + (i * 7919) % 3000);
        }
        int[] keys = SearchGrams.of(text.toString());
        assertThat(keys).isSorted().doesNotHaveDuplicates();
        assertThat(TestSql.rows(STORE.store(), "SELECT cardinality(pair_grams($1))", text.toString()))
                .containsExactly(List.of(keys.length));
    }

    private static int key(char first, char second) {
        return (first << 16) + second;
    }

    private static int[] sorted(int... keys) {
        Arrays.sort(keys);
        return keys;
    }

    @Test
    void sortFieldsShouldListEveryMessageWithItsFieldsAndSubject() {
        long box = newMailbox(account, "Sorted");
        Instant sent = Instant.parse("2024-03-05T01:02:03Z");
        long blob = message(account, box, "subject: re: hello\n", "");
        TestSql.rows(STORE.store(), "UPDATE blob_facts SET base_subject = 'hello', sort_from = 'ann@example.org',"
                + " sent_date = $2, message_id = '<a@b>', refs = ARRAY['<r@b>', '<s@b>'], display_from = 'ann'"
                + " WHERE blob_id = $1 RETURNING 1", blob, OffsetDateTime.ofInstant(sent, ZoneOffset.UTC));
        // uid 2 has no facts at all (stored before facts were parsed)
        addMessage(account, box, newBlob("no facts " + NEXT.incrementAndGet()));

        List<SortRow> rows = search().sortFields(account, box).collectList().block();

        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).uid()).isEqualTo(1);
        assertThat(rows.get(0).subject()).isEqualTo("re: hello");
        assertThat(rows.get(0).sort().baseSubject()).isEqualTo("hello");
        assertThat(rows.get(0).sort().from()).isEqualTo("ann@example.org");
        assertThat(rows.get(0).sort().sentDate()).isEqualTo(sent);
        assertThat(rows.get(0).sort().messageId()).isEqualTo("<a@b>");
        assertThat(rows.get(0).sort().references()).containsExactly("<r@b>", "<s@b>");
        assertThat(rows.get(0).sort().displayFrom()).isEqualTo("ann");
        assertThat(rows.get(1).uid()).isEqualTo(2);
        assertThat(rows.get(1).subject()).isEmpty();
        assertThat(rows.get(1).sort().baseSubject()).isEmpty();
        assertThat(rows.get(1).sort().sentDate()).isNull();
        assertThat(rows.get(1).sort().references()).isEmpty();
    }

    @Test
    void aWordInEveryMessageShouldStillBeSearchedThroughTheIndexNotByComputingGramsPerMessage() {
        long box = newMailbox(account, "Common");
        for (int i = 0; i < 200; i++) {
            message(account, box, "subject: note " + i + "\n", "打ち合わせ " + i + " the meeting notes\n");
        }
        TestSql.rows(STORE.store(), "ANALYZE blob_facts");
        TestSql.rows(STORE.store(), "ANALYZE message");
        for (TextQuery query : List.of(TextQuery.body("打ち合わせ"), TextQuery.text("meeting"),
                TextQuery.field("subject", "note"))) {
            String plan = plan(query, box);
            // The texts are reached through the GIN bitmap only, whatever the table's size (at 100,000 rows the
            // planner preferred a scan of blob_facts_pkey filtered by the key condition when it could).
            assertThat(plan).as(plan).contains("_grams_idx").doesNotContainPattern("Filter:[^\n]*_grams")
                    .doesNotContainPattern("(?<!Bitmap Heap )Scan[^\n]* on blob_facts f")
                    .doesNotContain("blob_facts_pkey");
        }
        assertThat(search().find(account, box, TextQuery.body("打ち合わせ"), PgMessageSearch.SCAN_BELOW + 1)
                .collectList().block()).hasSize(200);
    }

    @Test
    void aSmallMailboxShouldBeReadThroughWithoutTheInstallationWideIndex() {
        for (TextQuery query : List.of(TextQuery.body("打ち合わせ"), TextQuery.text("meeting"),
                TextQuery.field("subject", "note"))) {
            assertThat(PgMessageSearch.sql(query, false)).doesNotContain("_grams").contains("strpos");
        }
    }

    @Test
    void aBodyTextOfAFewKilobytesShouldBeStoredUncompressedSoThatItsRecheckNeedNotDecompressIt() {
        // 3,450 octets: over the 2 kB at which PostgreSQL would compress the row by default (V8).
        long small = message(account, other, "subject: small\n", "打ち合わせ budget ".repeat(150));
        long large = message(account, other, "subject: large\n", "打ち合わせ budget ".repeat(2_000));
        assertThat(TestSql.rows(STORE.store(), "SELECT octet_length(body_text), pg_column_compression(body_text)"
                + " IS NULL FROM blob_facts WHERE blob_id = $1", small)).containsExactly(List.of(3_450, true));
        assertThat(TestSql.rows(STORE.store(), "SELECT pg_column_compression(body_text) FROM blob_facts"
                + " WHERE blob_id = $1", large)).as("a text over a page is still compressed")
                .containsExactly(List.of("pglz"));
    }

    @Test
    void aWordInMoreTextsOfTheInstallationThanTheMailboxHoldsShouldBeReadThroughTheMailbox() {
        long box = newMailbox(account, "Quorum");
        message(account, box, "subject: one\n", "the quorum was reached\n");
        message(account, box, "subject: two\n", "no decision today\n");
        message(account, box, "subject: quorum\n", "a quorum of three\n");
        // Texts of other accounts' messages (no message row needed: the index spans blob_facts, not messages).
        TestSql.rows(STORE.store(), "WITH b AS (INSERT INTO blob (sha256, size) SELECT sha256(convert_to('quorum '"
                + " || g, 'UTF8')), 100 FROM generate_series(1, $1) g RETURNING id) INSERT INTO blob_facts (blob_id,"
                + " structure, header_text, body_text, base_subject, sort_from, sort_to, sort_cc) SELECT id, '\\x00',"
                + " 'subject: quorum', 'the quorum ' || id, '', '', '', '' FROM b RETURNING 1",
                PgMessageSearch.SCAN_BELOW + 1);
        int messages = PgMessageSearch.SCAN_BELOW + 1;
        PgMessageSearch search = (PgMessageSearch) search();

        for (TextQuery query : List.of(TextQuery.body("quorum"), TextQuery.text("quorum"),
                TextQuery.field("subject", "quorum"))) {
            assertThat(search.way(query, messages).block()).as(query.toString())
                    .isEqualTo(PgMessageSearch.Way.READ_THROUGH);
        }
        assertThat(search.way(TextQuery.body("decision"), messages).block()).isEqualTo(PgMessageSearch.Way.INDEX);
        assertThat(search.way(TextQuery.body("quorum"), PgMessageSearch.SCAN_BELOW * 2).block())
                .as("no more candidates than messages").isEqualTo(PgMessageSearch.Way.INDEX);
        assertThat(search.find(account, box, TextQuery.body("quorum"), messages).collectList().block())
                .containsExactly(1L, 3L);
        assertThat(search.find(account, box, TextQuery.text("quorum"), messages).collectList().block())
                .containsExactly(1L, 3L);
        assertThat(search.find(account, box, TextQuery.field("subject", "quorum"), messages).collectList().block())
                .containsExactly(3L);
        assertThat(search.find(account, box, TextQuery.body("quorum"), PgMessageSearch.SCAN_BELOW * 2)
                .collectList().block()).as("through the index").containsExactly(1L, 3L);
    }

    /** The plan of the statement as PgMessageSearch runs it (scans other than the bitmap priced out). */
    private static String plan(TextQuery query, long box) {
        Object[] parameters = query.scope() == MessageSearch.Scope.FIELD
                ? new Object[] {account, box, query.text(), query.field(), SearchGrams.parameter(query.text())}
                : new Object[] {account, box, query.text(), SearchGrams.parameter(query.text())};
        List<String> lines = new Database(STORE.store().connections()).inTransaction(connection ->
                        Flux.from(Database.statement(connection, PgMessageSearch.BITMAP_ONLY).execute())
                                .concatMap(result -> result.map(row -> 1))
                                .thenMany(Database.rows(Database.statement(connection,
                                        "EXPLAIN " + PgMessageSearch.sql(query, true), parameters),
                                        row -> row.get(0, String.class))))
                .collectList()
                .block();
        return String.join("\n", lines);
    }

    private static long newAccount() {
        long n = NEXT.incrementAndGet();
        long domain = id("INSERT INTO domain (name) VALUES ($1) RETURNING id", "search" + n + ".example");
        return id("INSERT INTO account (domain_id, address, auth_id) VALUES ($1, $2, $3) RETURNING id", domain,
                "ann@search" + n + ".example", "ann.search" + n);
    }

    private static long newMailbox(long accountId, String name) {
        return id("INSERT INTO mailbox (account_id, name, uidvalidity) VALUES ($1, $2, 1) RETURNING id", accountId,
                name);
    }

    /** Stores a message with its facts as the delivery path will (header and body text in search form). */
    private static long message(long accountId, long mailboxId, String headerText, String bodyText) {
        long blob = newBlob(headerText + bodyText + NEXT.incrementAndGet());
        TestSql.rows(STORE.store(), "INSERT INTO blob_facts (blob_id, structure, header_text, body_text, base_subject,"
                + " sort_from, sort_to, sort_cc) VALUES ($1, '\\x00', $2, $3, '', '', '', '') RETURNING 1", blob,
                headerText, bodyText);
        addMessage(accountId, mailboxId, blob);
        return blob;
    }

    private static long newBlob(String seed) {
        return id("INSERT INTO blob (sha256, size) VALUES ($1, 100) RETURNING id", ByteBuffer.wrap(sha256(seed)));
    }

    private static void addMessage(long accountId, long mailboxId, long blob) {
        TestSql.rows(STORE.store(), "WITH next AS (UPDATE mailbox SET uid_next = uid_next + 1"
                + " WHERE account_id = $1 AND id = $2 RETURNING uid_next - 1 AS uid)"
                + " INSERT INTO message (account_id, mailbox_id, uid, modseq, blob_id, size, internal_date)"
                + " SELECT $1, $2, uid, 1, $3, 100, now() FROM next RETURNING uid", accountId, mailboxId, blob);
    }

    private static long id(String sql, Object... parameters) {
        return ((Number) TestSql.rows(STORE.store(), sql, parameters).get(0).get(0)).longValue();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
