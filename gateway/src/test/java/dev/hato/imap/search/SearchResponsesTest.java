package dev.hato.imap.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.imap.wire.ImapCommand;
import dev.hato.imap.wire.SearchKey;
import dev.hato.message.ThreadNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class SearchResponsesTest {

    /** Messages 2, 3, 4 and 9 (UIDs 20, 30, 40, 90) with mod-sequences 7, 5, 9, 6. */
    private static final SearchResult FOUR = new SearchResult(List.of(2L, 3L, 4L, 9L), List.of(20L, 30L, 40L, 90L),
            List.of(7L, 5L, 9L, 6L), null);

    private static final SearchResult NONE = new SearchResult(List.of(), List.of(), List.of(), null);

    private static ImapCommand.Search search(boolean uid, String... returnOptions) {
        return new ImapCommand.Search("A1", uid, null, List.of(returnOptions),
                new SearchKey.Simple(SearchKey.Flag.ALL));
    }

    private static SearchResult withModSeq(SearchResult result) {
        return new SearchResult(result.sequenceNumbers(), result.uids(), result.modSeqs(),
                result.modSeqs().stream().max(Long::compare).orElseThrow());
    }

    @Test
    void aSearchWithoutReturnOptionsShouldAnswerSearch() {
        assertThat(SearchResponses.search(search(false), FOUR))
                .isEqualTo(new SearchResponses.SearchReply(List.of("* SEARCH 2 3 4 9"), null));
        assertThat(SearchResponses.search(search(true), FOUR).untagged()).containsExactly("* SEARCH 20 30 40 90");
        assertThat(SearchResponses.search(search(false), NONE).untagged()).containsExactly("* SEARCH");
    }

    @Test
    void anImap4rev2SearchWithoutReturnOptionsShouldAnswerEsearchAll() {
        // RFC 9051 §6.4.4: no result option means ALL, and the answer is ESEARCH (with UID for UID SEARCH).
        assertThat(SearchResponses.search(search(false), FOUR, true))
                .isEqualTo(new SearchResponses.SearchReply(List.of("* ESEARCH (TAG \"A1\") ALL 2:4,9"), null));
        assertThat(SearchResponses.search(search(true), FOUR, true).untagged())
                .containsExactly("* ESEARCH (TAG \"A1\") UID ALL 20,30,40,90");
        assertThat(SearchResponses.search(search(false), NONE, true).untagged())
                .containsExactly("* ESEARCH (TAG \"A1\")");
        assertThat(SearchResponses.search(search(false, "COUNT"), FOUR, true).untagged())
                .containsExactly("* ESEARCH (TAG \"A1\") COUNT 4");
        assertThat(SearchResponses.search(search(false, "SAVE"), FOUR, true))
                .isEqualTo(new SearchResponses.SearchReply(List.of(), List.of(20L, 30L, 40L, 90L)));
    }

    @Test
    void aSearchWithModSeqShouldCarryTheHighestModSeqUnlessNothingMatched() {
        assertThat(SearchResponses.search(search(false), withModSeq(FOUR)).untagged())
                .containsExactly("* SEARCH 2 3 4 9 (MODSEQ 9)");
    }

    @Test
    void esearchShouldAnswerEveryRequestedOptionWithTheTag() {
        assertThat(SearchResponses.search(search(false, "MIN", "MAX", "COUNT", "ALL"), FOUR).untagged())
                .containsExactly("* ESEARCH (TAG \"A1\") MIN 2 MAX 9 COUNT 4 ALL 2:4,9");
        assertThat(SearchResponses.search(search(true, "ALL"), FOUR).untagged())
                .containsExactly("* ESEARCH (TAG \"A1\") UID ALL 20,30,40,90");
    }

    @Test
    void esearchOfNothingShouldOnlyCount() {
        assertThat(SearchResponses.search(search(false, "MIN", "MAX", "COUNT", "ALL"), NONE).untagged())
                .containsExactly("* ESEARCH (TAG \"A1\") COUNT 0");
        assertThat(SearchResponses.search(search(true, "MIN"), NONE).untagged())
                .containsExactly("* ESEARCH (TAG \"A1\") UID");
    }

    @Test
    void esearchModSeqShouldBeTheHighestOfTheReportedMessages() {
        assertThat(SearchResponses.search(search(false, "MIN"), withModSeq(FOUR)).untagged())
                .containsExactly("* ESEARCH (TAG \"A1\") MIN 2 MODSEQ 7");
        assertThat(SearchResponses.search(search(false, "MIN", "MAX"), withModSeq(FOUR)).untagged())
                .containsExactly("* ESEARCH (TAG \"A1\") MIN 2 MAX 9 MODSEQ 7");
        assertThat(SearchResponses.search(search(false, "COUNT"), withModSeq(FOUR)).untagged())
                .containsExactly("* ESEARCH (TAG \"A1\") COUNT 4 MODSEQ 9");
    }

    @Test
    void saveAloneShouldSaveEveryUidAndAnswerNothing() {
        assertThat(SearchResponses.search(search(false, "SAVE"), FOUR))
                .isEqualTo(new SearchResponses.SearchReply(List.of(), List.of(20L, 30L, 40L, 90L)));
    }

    @Test
    void saveWithMinOrMaxShouldSaveOnlyThose() {
        assertThat(SearchResponses.search(search(false, "SAVE", "MIN"), FOUR).saved()).containsExactly(20L);
        assertThat(SearchResponses.search(search(false, "SAVE", "MIN", "MAX"), FOUR).saved())
                .containsExactly(20L, 90L);
        assertThat(SearchResponses.search(search(false, "SAVE", "MAX", "COUNT"), FOUR).saved())
                .containsExactly(20L, 30L, 40L, 90L);
        assertThat(SearchResponses.search(search(false, "SAVE", "MIN"), NONE).saved()).isEmpty();
    }

    @Test
    void onlyTheRfc4731AndRfc5182ReturnOptionsShouldBeKnown() {
        assertThat(SearchResponses.knownReturnOptions(List.of("MIN", "MAX", "ALL", "COUNT", "SAVE"))).isTrue();
        assertThat(SearchResponses.knownReturnOptions(List.of("PARTIAL"))).isFalse();
    }

    @Test
    void sortShouldKeepTheSortedOrder() {
        SearchResult sorted = new SearchResult(List.of(4L, 2L), List.of(40L, 20L), List.of(1L, 1L), null);
        assertThat(SearchResponses.sort(sorted, false)).isEqualTo("* SORT 4 2");
        assertThat(SearchResponses.sort(sorted, true)).isEqualTo("* SORT 40 20");
        assertThat(SearchResponses.sort(NONE, true)).isEqualTo("* SORT");
    }

    @Test
    void threadShouldRenderUidsForUidThreadAndNothingForNoMessages() {
        ThreadNode thread = new ThreadNode(1, 10, List.of(new ThreadNode(2, 20, List.of()),
                new ThreadNode(3, 30, List.of(new ThreadNode(4, 40, List.of())))));
        assertThat(SearchResponses.thread(List.of(thread), true)).isEqualTo("* THREAD (10 (20)(30 40))");
        assertThat(SearchResponses.thread(List.of(), false)).isEqualTo("* THREAD");
    }

    @Test
    void sequenceSetsShouldJoinRunsIntoRanges() {
        assertThat(SearchResponses.sequenceSet(List.of(1L))).isEqualTo("1");
        assertThat(SearchResponses.sequenceSet(List.of(1L, 2L, 3L, 5L, 7L, 8L))).isEqualTo("1:3,5,7:8");
    }
}
