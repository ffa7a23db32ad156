package dev.hato.imap.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hato.imap.wire.ImapCommand;
import dev.hato.imap.wire.ImapCommandParser;
import dev.hato.imap.wire.SearchKey;
import dev.hato.store.mail.Mailboxes;
import dev.hato.store.mail.MessageMeta;
import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SEARCH, SORT and THREAD evaluated over raw messages stored in a real PostgreSQL with the facts Hato's parser made
 * of them.
 */
class ImapSearchTest {

    @RegisterExtension
    static final StoredMailbox STORE = new StoredMailbox();

    private static final ImapCommandParser PARSER = new ImapCommandParser(16);
    private static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");
    private static final Instant NOW = Instant.parse("2024-03-12T12:00:00Z");
    private static final String JAPANESE = "来週の打ち合わせは東京で行います。詳細はメールでお知らせします。";

    private static long[] inbox;
    private static ImapSearch search;

    @BeforeAll
    static void storeMessages() {
        search = new ImapSearch(STORE.store().search());
        inbox = STORE.newMailbox();
        // 1: 400 octets; the Date field says 5 March at +0900 (4 March in UTC): SENT* compare the day it names in its
        // own zone. It arrived on 4 March in UTC but 5 March in Tokyo.
        String first = "From: Ann <ann@example.org>\r\nTo: bob@example.org\r\nSubject: Budget 2024\r\n"
                + "X-Priority: 1\r\nDate: Tue, 5 Mar 2024 00:00:00 +0900\r\nMessage-ID: <1@example.org>\r\n\r\n"
                + "The budget meeting moved to Friday.\r\n";
        STORE.add(inbox, padded(first, 400), Instant.parse("2024-03-04T16:00:00Z"), Set.of("\\Seen", "\\Answered"));
        // 2: 1,500 octets, a reply to 1 (its keyword comes last, below, to give it the highest modseq)
        String second = "From: Bob <bob@example.org>\r\nSubject: Re: Budget 2024\r\nCc: carol@example.org\r\n"
                + "Date: Wed, 6 Mar 2024 11:00:00 +0000\r\nMessage-ID: <2@example.org>\r\n"
                + "References: <1@example.org>\r\n\r\nLooks fine to me. Ann, can you send it?\r\n";
        STORE.add(inbox, padded(second, 1500), Instant.parse("2024-03-06T12:00:00Z"), Set.of("\\Flagged"));
        // 3: as large as 1, without a Date field (its \Draft comes below)
        STORE.add(inbox, padded("From: carol@example.org\r\nSubject: lunch\r\n\r\n", 400),
                Instant.parse("2024-03-07T12:00:00Z"), Set.of("\\Deleted"));
        // 4 to 7: the same Japanese message sent in ISO-2022-JP, Shift_JIS, EUC-JP and UTF-8 (264, 256, 253 and 284
        // octets)
        int day = 8;
        for (String charset : List.of("ISO-2022-JP", "Shift_JIS", "EUC-JP", "UTF-8")) {
            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            sent.writeBytes(("From: =?UTF-8?B?5bGx55Sw?= <yamada@example.jp>\r\n"
                    + "Subject: =?UTF-8?B?5Lya6K2w44Gu5pel56iL?=\r\n" // 会議の日程
                    + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=" + charset + "\r\n"
                    + "Content-Transfer-Encoding: 8bit\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            sent.writeBytes((JAPANESE + "\r\n").getBytes(Charset.forName(charset)));
            STORE.add(inbox, sent.toByteArray(), Instant.parse("2024-03-%02dT12:00:00Z".formatted(day++)),
                    Set.of("\\Seen"));
        }
        // 8: 2,000 octets, delivered before its facts were known
        long eighth = STORE.add(inbox, padded("Subject: kept before its facts\r\n\r\n", 2000),
                Instant.parse("2024-03-12T06:00:00Z"), Set.of());
        STORE.forgetFacts(inbox, eighth);
        STORE.store(inbox, 3, Mailboxes.FlagMode.ADD, Set.of("\\Draft"));
        STORE.store(inbox, 2, Mailboxes.FlagMode.ADD, Set.of("$Label1"));
    }

    /** {@code message} with a last body line of filler that makes it {@code size} octets long. */
    private static String padded(String message, int size) {
        int filler = size - message.length() - 2;
        assertThat(filler).isPositive();
        return message + "~".repeat(filler) + "\r\n";
    }

    private static SearchContext context(List<Long> saved) {
        return new SearchContext(inbox[0], inbox[1], STORE.messages(inbox), Set.of(7L, 8L), saved, TOKYO, NOW);
    }

    /** The sequence numbers (here equal to the UIDs) a search command finds. */
    private static List<Long> find(String keys) {
        return result("SEARCH " + keys, List.of()).sequenceNumbers();
    }

    private static SearchResult result(String command, List<Long> saved) {
        ImapCommand.Search parsed = (ImapCommand.Search) parse(command);
        return search.search(context(saved), parsed.key(), parsed.charset()).block(Duration.ofSeconds(30));
    }

    private static ImapCommand parse(String command) {
        ImapCommand parsed = PARSER.parse(("A1 " + command).getBytes(StandardCharsets.UTF_8));
        assertThat(parsed).isNotInstanceOf(ImapCommand.Invalid.class);
        return parsed;
    }

    @Test
    void flagKeysShouldSelectByFlagsAndTheSessionsRecentSet() {
        assertThat(find("SEEN")).containsExactly(1L, 4L, 5L, 6L, 7L);
        assertThat(find("UNSEEN")).containsExactly(2L, 3L, 8L);
        assertThat(find("ANSWERED")).containsExactly(1L);
        assertThat(find("FLAGGED")).containsExactly(2L);
        assertThat(find("DELETED")).containsExactly(3L);
        assertThat(find("DRAFT")).containsExactly(3L);
        assertThat(find("UNDELETED UNDRAFT UNFLAGGED UNANSWERED")).containsExactly(4L, 5L, 6L, 7L, 8L);
        assertThat(find("RECENT")).containsExactly(7L, 8L);
        assertThat(find("NEW")).containsExactly(8L);
        assertThat(find("OLD")).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(find("ALL")).hasSize(8);
    }

    @Test
    void keywordsShouldMatchWhateverTheirCase() {
        assertThat(find("KEYWORD $label1")).containsExactly(2L);
        assertThat(find("UNKEYWORD $LABEL1")).containsExactly(1L, 3L, 4L, 5L, 6L, 7L, 8L);
    }

    @Test
    void internalDateKeysShouldCompareTheDayInTheServersZone() {
        // uid 1 arrived on 4 March in UTC but 5 March in Tokyo.
        assertThat(find("ON 5-Mar-2024")).containsExactly(1L);
        assertThat(find("BEFORE 6-Mar-2024")).containsExactly(1L);
        assertThat(find("SINCE 7-Mar-2024")).containsExactly(3L, 4L, 5L, 6L, 7L, 8L);
    }

    @Test
    void sentDateKeysShouldUseTheDateFieldAndSkipMessagesWithoutOne() {
        assertThat(find("SENTON 5-Mar-2024")).containsExactly(1L);
        assertThat(find("SENTSINCE 6-Mar-2024")).containsExactly(2L);
        assertThat(find("SENTBEFORE 1-Jan-2100")).containsExactly(1L, 2L);
    }

    @Test
    void olderAndYoungerShouldBothMatchAMessageExactlyAtTheTargetSecond() {
        // RFC 5032 §2: uid 8 arrived 06:00Z, 21600 s before NOW; OLDER is "<=" and YOUNGER ">=" the target.
        assertThat(find("YOUNGER 21600")).containsExactly(8L);
        assertThat(find("OLDER 21600")).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(find("YOUNGER 21599")).isEmpty();
        assertThat(find("OLDER 21601")).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
    }

    @Test
    void olderAndYoungerShouldCompareToTheResolutionOfASecond() {
        // RFC 5032 §2 "exact matching, to the resolution of a second": 700 ms past NOW is still NOW's second.
        ImapCommand.Search younger = (ImapCommand.Search) parse("SEARCH YOUNGER 21600");
        SearchContext later = new SearchContext(inbox[0], inbox[1], STORE.messages(inbox), Set.of(), List.of(), TOKYO,
                NOW.plusMillis(700));
        assertThat(search.search(later, younger.key(), younger.charset()).block(Duration.ofSeconds(30))
                .sequenceNumbers()).containsExactly(8L);
    }

    @Test
    void savedDateKeysShouldCompareTheSaveDayAndTheInternalDayWhenTheSaveDateIsUnknown() {
        long[] box = STORE.newMailbox();
        long copied = STORE.add(box, "Subject: copied\r\n\r\nx\r\n", Instant.parse("2020-01-01T12:00:00Z"), Set.of());
        STORE.setSaveDate(box, copied, Instant.parse("2024-03-10T16:00:00Z")); // 11 March in Tokyo, the server's zone
        long legacy = STORE.add(box, "Subject: legacy\r\n\r\ny\r\n", Instant.parse("2024-03-09T12:00:00Z"), Set.of());
        STORE.setSaveDate(box, legacy, null); // stored before save dates were kept
        SearchContext context = new SearchContext(box[0], box[1], STORE.messages(box), Set.of(), List.of(), TOKYO,
                NOW);

        assertThat(find(context, "SAVEDON 11-Mar-2024")).containsExactly(1L);
        assertThat(find(context, "SAVEDON 10-Mar-2024")).isEmpty();
        assertThat(find(context, "SAVEDSINCE 10-Mar-2024")).containsExactly(1L);
        // RFC 8514 §4.3: without a save date the internal date is compared instead.
        assertThat(find(context, "SAVEDON 9-Mar-2024")).containsExactly(2L);
        assertThat(find(context, "SAVEDBEFORE 11-Mar-2024")).containsExactly(2L);
        assertThat(find(context, "SAVEDSINCE 9-Mar-2024")).containsExactly(1L, 2L);
        assertThat(find(context, "ON 1-Jan-2020")).as("the internal date is not the save date").containsExactly(1L);
        assertThat(find(context, "SAVEDATESUPPORTED")).containsExactly(1L, 2L);
        assertThat(find(context, "NOT SAVEDATESUPPORTED")).isEmpty();
    }

    private static List<Long> find(SearchContext context, String keys) {
        ImapCommand.Search parsed = (ImapCommand.Search) parse("SEARCH " + keys);
        return search.search(context, parsed.key(), parsed.charset()).block(Duration.ofSeconds(30))
                .sequenceNumbers();
    }

    @Test
    void sizeKeysShouldBeStrictAndCountTheStoredOctets() {
        assertThat(find("LARGER 1000")).containsExactly(2L, 8L);
        assertThat(find("SMALLER 1000")).containsExactly(1L, 3L, 4L, 5L, 6L, 7L);
        assertThat(find("SMALLER 400")).containsExactly(4L, 5L, 6L, 7L);
        assertThat(find("LARGER 399 SMALLER 401")).containsExactly(1L, 3L);
    }

    @Test
    void uidSetsShouldResolveStarToTheLargestUid() {
        assertThat(find("UID 2:4")).containsExactly(2L, 3L, 4L);
        assertThat(find("UID 3,5:6")).containsExactly(3L, 5L, 6L);
        // RFC 3501 §6.4.8: 100:* includes the last message even though 100 is past every UID.
        assertThat(find("UID 100:*")).containsExactly(8L);
        assertThat(find("UID 100")).isEmpty();
    }

    @Test
    void sequenceSetsShouldResolveStarToTheLastMessage() {
        assertThat(find("*")).containsExactly(8L);
        assertThat(find("7:100")).containsExactly(7L, 8L);
        assertThat(find("2,4:3")).containsExactly(2L, 3L, 4L);
    }

    @Test
    void theSavedResultShouldBeUsableAsSequenceAndUidSet() {
        assertThat(result("SEARCH $", List.of(2L, 4L)).sequenceNumbers()).containsExactly(2L, 4L);
        assertThat(result("SEARCH UID $ SEEN", List.of(2L, 4L)).sequenceNumbers()).containsExactly(4L);
        assertThat(result("SEARCH $", List.of()).sequenceNumbers()).isEmpty();
    }

    @Test
    void notOrAndShouldCombineKeys() {
        assertThat(find("OR FLAGGED DELETED")).containsExactly(2L, 3L);
        assertThat(find("NOT SEEN UNDELETED")).containsExactly(2L, 8L);
        // (SEEN OR FROM ann TEXT budget) is SEEN AND (FROM ann OR TEXT budget): only 1
        assertThat(find("NOT (SEEN OR FROM ann TEXT budget)")).containsExactly(2L, 3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(find("OR (SEEN LARGER 100) NOT 1:7")).containsExactly(1L, 4L, 5L, 6L, 7L, 8L);
    }

    @Test
    void modSeqShouldSelectChangedMessagesAndReportTheHighest() {
        List<MessageMeta> stored = STORE.messages(inbox);
        long appended = stored.get(7).modseq(); // the last append; then 3 and 2 were changed, in that order
        assertThat(stored.get(2).modseq()).isGreaterThan(appended);
        SearchResult result = result("SEARCH MODSEQ " + (appended + 1), List.of());
        assertThat(result.sequenceNumbers()).containsExactly(2L, 3L);
        assertThat(result.highestModSeq()).isEqualTo(stored.get(1).modseq()).isGreaterThan(stored.get(2).modseq());
        assertThat(result("SEARCH MODSEQ " + (stored.get(1).modseq() + 1), List.of()).highestModSeq()).isNull();
        assertThat(result("SEARCH ALL", List.of()).highestModSeq()).isNull();
    }

    @Test
    void olderAndYoungerShouldCountBackFromNow() {
        assertThat(find("YOUNGER 86399")).containsExactly(8L);
        assertThat(find("OLDER 86399")).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
        // 7 arrived exactly one day before now, at the target: RFC 5032 §2 makes it both YOUNGER (">=") and OLDER
        // ("less recent than or equal to").
        assertThat(find("YOUNGER 86400")).containsExactly(7L, 8L);
        assertThat(find("OLDER 86400")).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
    }

    @Test
    void textKeysShouldBeCaseAndWidthInsensitiveSubstrings() {
        assertThat(find("FROM ANN")).containsExactly(1L);
        assertThat(find("FROM \"\uff21\uff2e\uff2e\"")).containsExactly(1L); // full-width ＡＮＮ
        assertThat(find("TEXT ann")).containsExactly(1L, 2L);
        assertThat(find("BODY budget")).containsExactly(1L);
        assertThat(find("SUBJECT \"BUDGET 20\"")).containsExactly(1L, 2L);
        assertThat(find("CC carol")).containsExactly(2L);
        assertThat(find("TO bob")).containsExactly(1L);
        assertThat(find("BCC bob")).isEmpty();
        assertThat(find("BODY \"not in any message\"")).isEmpty();
    }

    @Test
    void headerWithAnEmptyValueShouldMatchMessagesThatHaveTheField() {
        assertThat(find("HEADER X-Priority \"\"")).containsExactly(1L);
        assertThat(find("HEADER x-priority 2")).isEmpty();
        assertThat(find("HEADER \"no such: field\" \"\"")).isEmpty();
    }

    @Test
    void japaneseWordsShouldBeFoundInEveryCharsetTheyWereSentIn() {
        assertThat(find("CHARSET UTF-8 BODY \"打ち合わせ\"")).containsExactly(4L, 5L, 6L, 7L);
        assertThat(find("CHARSET UTF-8 TEXT \"東京\"")).containsExactly(4L, 5L, 6L, 7L);
        assertThat(find("CHARSET UTF-8 SUBJECT \"日程\"")).containsExactly(4L, 5L, 6L, 7L);
        assertThat(find("CHARSET UTF-8 FROM \"山田\"")).containsExactly(4L, 5L, 6L, 7L);
        // half-width katakana ﾒｰﾙ is メール after NFKC
        assertThat(find("CHARSET UTF-8 BODY \"\uff92\uff70\uff99\"")).containsExactly(4L, 5L, 6L, 7L);
        assertThat(find("CHARSET UTF-8 BODY \"大阪\"")).isEmpty();
    }

    @Test
    void aMessageWithoutFactsShouldMatchNoTextKeyButEveryOtherKey() {
        assertThat(find("NOT BODY x")).contains(8L);
        assertThat(find("BODY \"\"")).doesNotContain(8L);
    }

    @Test
    void onlyUtf8AndUsAsciiShouldBeAccepted() {
        assertThat(find("CHARSET us-ascii FROM ann")).containsExactly(1L);
        assertThatThrownBy(() -> result("SEARCH CHARSET ISO-8859-1 FROM ann", List.of()))
                .isInstanceOf(BadCharsetException.class);
        assertThat(BadCharsetException.RESPONSE_CODE).isEqualTo("BADCHARSET (UTF-8 US-ASCII)");
    }

    @Test
    void anEmptyMailboxShouldMatchNothing() {
        long[] empty = STORE.newMailbox();
        SearchContext context = new SearchContext(empty[0], empty[1], List.of(), Set.of(), List.of(), TOKYO, NOW);
        SearchResult result = search.search(context, new SearchKey.Text(SearchKey.Field.BODY, "x"), null)
                .block(Duration.ofSeconds(30));
        assertThat(result.uids()).isEmpty();
    }

    private static List<Long> sort(String command) {
        ImapCommand.Sort sort = (ImapCommand.Sort) parse(command);
        SearchResult result = search.sort(context(List.of()), sort.criteria(), sort.key(), sort.charset())
                .block(Duration.ofSeconds(30));
        return result.numbers(sort.uid());
    }

    @Test
    void sortBySubjectShouldUseTheBaseSubjectAndTheSequenceNumberForTies() {
        assertThat(sort("SORT (SUBJECT) UTF-8 ALL")).containsExactly(8L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
    }

    @Test
    void sortByDateShouldFallBackToTheInternalDate() {
        assertThat(sort("SORT (REVERSE DATE) UTF-8 ALL")).containsExactly(8L, 7L, 6L, 5L, 4L, 3L, 2L, 1L);
        assertThat(sort("SORT (ARRIVAL) UTF-8 UNSEEN")).containsExactly(2L, 3L, 8L);
    }

    @Test
    void sortBySizeThenAnotherKeyShouldApplyTheKeysInOrder() {
        assertThat(sort("SORT (SIZE) UTF-8 ALL")).containsExactly(6L, 5L, 4L, 7L, 1L, 3L, 2L, 8L);
        assertThat(sort("SORT (SIZE REVERSE ARRIVAL) UTF-8 ALL")).containsExactly(6L, 5L, 4L, 7L, 3L, 1L, 2L, 8L);
        assertThat(sort("UID SORT (FROM) UTF-8 UNSEEN")).containsExactly(8L, 2L, 3L);
        assertThat(sort("SORT (REVERSE CC) UTF-8 1:3")).containsExactly(2L, 1L, 3L);
    }

    @Test
    void sortWithModSeqShouldReportTheHighestModSeq() {
        List<MessageMeta> stored = STORE.messages(inbox);
        ImapCommand.Sort sort = (ImapCommand.Sort) parse("SORT (REVERSE ARRIVAL) UTF-8 MODSEQ "
                + (stored.get(7).modseq() + 1));
        SearchResult result = search.sort(context(List.of()), sort.criteria(), sort.key(), sort.charset())
                .block(Duration.ofSeconds(30));
        assertThat(SearchResponses.sort(result, false)).isEqualTo("* SORT 3 2 (MODSEQ " + stored.get(1).modseq() + ")");
    }

    private static String thread(String command) {
        ImapCommand.Thread thread = (ImapCommand.Thread) parse(command);
        return SearchResponses.thread(search.thread(context(List.of()), thread.algorithm(), thread.key(),
                thread.charset()).block(Duration.ofSeconds(30)), thread.uid());
    }

    @Test
    void threadByReferencesShouldLinkRepliesAndGroupOriginalsBySubject() {
        assertThat(thread("THREAD REFERENCES UTF-8 ALL")).isEqualTo("* THREAD (1 2)(3)((4)(5)(6)(7))(8)");
        assertThat(thread("UID THREAD REFERENCES UTF-8 NOT 1")).isEqualTo("* THREAD (2)(3)((4)(5)(6)(7))(8)");
    }

    @Test
    void threadByOrderedSubjectShouldHangEverySubjectUnderItsFirstMessage() {
        assertThat(thread("THREAD ORDEREDSUBJECT UTF-8 ALL")).isEqualTo("* THREAD (1 2)(3)(4 (5)(6)(7))(8)");
    }

    @Test
    void esearchShouldReportASearchOverStoredText() {
        ImapCommand.Search command = (ImapCommand.Search) parse(
                "UID SEARCH RETURN (MIN MAX COUNT ALL) CHARSET UTF-8 BODY \"打ち合わせ\"");
        SearchResult result = search.search(context(List.of()), command.key(), command.charset())
                .block(Duration.ofSeconds(30));
        assertThat(SearchResponses.search(command, result).untagged())
                .containsExactly("* ESEARCH (TAG \"A1\") UID MIN 4 MAX 7 COUNT 4 ALL 4:7");
    }
}
