package dev.hato.imap.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.message.Threading;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class ThreadingTest {

    private static final Instant T0 = Instant.parse("2024-03-05T00:00:00Z");

    private final List<Threading.Message> messages = new ArrayList<>();

    /** Adds message number n (sequence number and UID), sent {@code minute} minutes after T0. */
    private void message(int minute, String subject, String baseSubject, @Nullable String id, String... references) {
        long n = messages.size() + 1;
        messages.add(new Threading.Message(n, n * 10, T0.plusSeconds(60L * minute), baseSubject, subject, id,
                List.of(references)));
    }

    private String references() {
        return SearchResponses.thread(Threading.references(messages), false);
    }

    private String orderedSubject() {
        return SearchResponses.thread(Threading.orderedSubject(messages), false);
    }

    @Test
    void aChainOfRepliesShouldBeOneListWithoutNesting() {
        message(0, "hello", "hello", "<a>");
        message(1, "re: hello", "hello", "<b>", "<a>");
        message(2, "re: hello", "hello", "<c>", "<a>", "<b>");

        assertThat(references()).isEqualTo("* THREAD (1 2 3)");
    }

    /**
     * A sender decides how deep a thread is: 100,000 messages each replying to the one before, and one message whose
     * References names 100,000 messages nobody has, are threaded without recursion (the recursive version threw
     * StackOverflowError from about 10,000).
     */
    @Test
    void threadsAsDeepAsASenderMakesThemShouldNotOverflowTheStack() {
        message(0, "deep", "deep", "<m0>");
        for (int i = 1; i < 100_000; i++) {
            messages.add(new Threading.Message(i + 1, (i + 1) * 10L, T0.plusSeconds(i), "deep", "re: deep", "<m" + i + ">",
                    List.of("<m" + (i - 1) + ">")));
        }
        String chain = references();
        assertThat(chain).startsWith("* THREAD (1 2 3 ").endsWith(" 99999 100000)");

        // Two replies at every level: a list nested in a list 50,000 deep in the response.
        messages.clear();
        message(0, "wide", "wide", "<w0>");
        for (int i = 1; i < 50_000; i++) {
            messages.add(new Threading.Message(2L * i, 20L * i, T0.plusSeconds(i), "wide", "re: wide", "<w" + i + ">",
                    List.of("<w" + (i - 1) + ">")));
            messages.add(new Threading.Message(2L * i + 1, 20L * i + 10, T0.plusSeconds(i), "wide", "re: wide",
                    "<leaf" + i + ">", List.of("<w" + (i - 1) + ">")));
        }
        assertThat(references()).startsWith("* THREAD (1 (2 (4 (6 ").contains("(99996 (99998)(99999))(99997))(99995))").endsWith("(7))(5))(3))");

        messages.clear();
        List<String> references = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            references.add("<gone" + i + ">");
        }
        messages.add(new Threading.Message(1, 10, T0, "long", "re: long", "<me>", references));
        message(1, "long", "long", "<other>");
        // The reply's missing parents are pruned away; by its base subject it joins the other (RFC 5256 step 5).
        assertThat(references()).isEqualTo("* THREAD (2 1)");
    }

    /**
     * A chain 25,000 references deep (250 messages of 100 each), then messages whose References go back and forth
     * between its two ends: each link's loop check used to walk the whole chain (3,000 such messages took minutes).
     * Only the last 100 References of a message are linked, and a loop check looks at 256 ancestors at most. The
     * time limit only stops a regression from hanging the build; speed is measured in benchmarks.
     */
    @Test
    @org.junit.jupiter.api.Timeout(60)
    void referencesChosenToMakeTheLoopCheckWalkLongChainsShouldStayCheap() {
        for (int m = 0; m < 250; m++) {
            List<String> chain = new ArrayList<>();
            for (int i = Math.max(0, m * 100 - 1); i < m * 100 + 99; i++) { // each starts where the last ended
                chain.add("<r" + i + ">");
            }
            messages.add(new Threading.Message(m + 1, m + 1, T0.plusSeconds(m), "chain", "re: chain", "<c" + m + ">",
                    chain));
        }
        for (int j = 0; j < 3000; j++) {
            List<String> refs = new ArrayList<>();
            for (int k = 0; k < 200; k++) {
                refs.addAll(List.of("<r24998>", "<x" + j + "_" + k + ">", "<r0>", "<y" + j + "_" + k + ">"));
            }
            messages.add(new Threading.Message(251 + j, 251 + j, T0.plusSeconds(300 + j), "back" + j, "back" + j,
                    "<b" + j + ">", refs));
        }
        assertThat(references()).startsWith("* THREAD (");
    }

    @Test
    void severalRepliesToOneMessageShouldBeNestedListsInDateOrder() {
        message(0, "plan", "plan", "<a>");
        message(5, "re: plan", "plan", "<b>", "<a>");
        message(2, "re: plan", "plan", "<c>", "<a>");
        message(3, "re: plan", "plan", "<d>", "<a>", "<c>");

        assertThat(references()).isEqualTo("* THREAD (1 (3 4)(2))");
    }

    @Test
    void aMissingParentWithSeveralRepliesShouldStayAsADummyAtTheTop() {
        message(0, "re: one", "one", "<b>", "<missing>");
        message(1, "re: two", "two", "<c>", "<missing>");

        assertThat(references()).isEqualTo("* THREAD ((1)(2))");
    }

    @Test
    void aMissingParentWithOneReplyShouldBeReplacedByIt() {
        message(0, "re: one", "one", "<b>", "<missing>");

        assertThat(references()).isEqualTo("* THREAD (1)");
    }

    @Test
    void aMissingMessageInTheMiddleOfAChainShouldBeDroppedAndItsReplyMovedUp() {
        message(0, "x", "x", "<a>");
        message(1, "re: x", "x", "<c>", "<a>", "<gone>");

        assertThat(references()).isEqualTo("* THREAD (1 2)");
    }

    @Test
    void aReplyWithoutReferencesShouldJoinTheOriginalBySubject() {
        message(0, "lunch", "lunch", "<a>");
        message(1, "Re: lunch", "lunch", "<b>");
        message(2, "dinner", "dinner", "<c>");

        assertThat(references()).isEqualTo("* THREAD (1 2)(3)");
    }

    @Test
    void twoOriginalsWithTheSameSubjectShouldShareADummyParent() {
        message(0, "report", "report", "<a>");
        message(1, "report", "report", "<b>");

        assertThat(references()).isEqualTo("* THREAD ((1)(2))");
    }

    @Test
    void messagesWithoutASubjectShouldNotBeGroupedBySubject() {
        message(0, "", "", "<a>");
        message(1, "", "", "<b>");

        assertThat(references()).isEqualTo("* THREAD (1)(2)");
    }

    @Test
    void referencesThatFormALoopShouldNotHangOrLoseMessages() {
        message(0, "a", "a", "<a>", "<b>");
        message(1, "b", "b", "<b>", "<a>");

        String threads = references();

        assertThat(threads).contains("1").contains("2");
    }

    @Test
    void aDuplicateMessageIdShouldNotMergeTwoMessages() {
        message(0, "one", "one", "<same>");
        message(1, "two", "two", "<same>");
        message(2, "re: one", "one", "<r>", "<same>");

        assertThat(references()).isEqualTo("* THREAD (1 3)(2)");
    }

    @Test
    void messagesWithoutMessageIdShouldEachBeTheirOwnThread() {
        message(0, "one", "one", null);
        message(1, "two", "two", null);

        assertThat(references()).isEqualTo("* THREAD (1)(2)");
    }

    @Test
    void threadsShouldBeOrderedByTheDateOfTheirFirstMessageAndTiesBySequenceNumber() {
        message(10, "late", "late", "<a>");
        message(0, "early", "early", "<b>");
        message(0, "same time", "same time", "<c>");

        assertThat(references()).isEqualTo("* THREAD (2)(3)(1)");
    }

    @Test
    void orderedSubjectShouldMakeTheFirstMessageOfEachSubjectTheParentOfTheOthers() {
        message(3, "re: b", "b", "<1>");
        message(0, "a", "a", "<2>");
        message(1, "b", "b", "<3>");
        message(4, "re: a", "a", "<4>");
        message(5, "c", "c", "<5>");
        message(2, "re: a", "a", "<6>");

        // a: 2 (0), 6 (2), 4 (4); b: 3 (1), 1 (3); c: 5
        assertThat(orderedSubject()).isEqualTo("* THREAD (2 (6)(4))(3 1)(5)");
    }

    @Test
    void subjectsThatMarkARepliesOrForwardsShouldBeRecognised() {
        assertThat(Threading.isReplyOrForward("re: x")).isTrue();
        assertThat(Threading.isReplyOrForward("Fwd: x")).isTrue();
        assertThat(Threading.isReplyOrForward("fw : x")).isTrue();
        assertThat(Threading.isReplyOrForward("[list] re: x")).isTrue();
        assertThat(Threading.isReplyOrForward("re[2]: x")).isTrue();
        assertThat(Threading.isReplyOrForward("[fwd: x]")).isTrue();
        assertThat(Threading.isReplyOrForward("x (fwd)")).isTrue();
        assertThat(Threading.isReplyOrForward("regarding x")).isFalse();
        assertThat(Threading.isReplyOrForward("x")).isFalse();
    }

    /** Any sender picks the subject: a thousand blobs once overflowed the regex's recursion (StackOverflowError). */
    @Test
    void subjectsOfManyBlobsShouldBeAnsweredNotOverflowTheStack() {
        assertThat(Threading.isReplyOrForward("[x]".repeat(100_000) + "re: x")).isTrue();
        assertThat(Threading.isReplyOrForward("[x]".repeat(100_000) + "x")).isFalse();
        assertThat(Threading.isReplyOrForward("(fwd) ".repeat(100_000) + "x")).isFalse();
    }

    /** The scan against the regular expression it replaced, over many generated short subjects. */
    @Test
    void replyOrForwardShouldAgreeWithTheRegexItReplaced() {
        java.util.regex.Pattern legacy = java.util.regex.Pattern.compile(
                "^[ \\t]*(\\[[^\\[\\]]*\\][ \\t]*)*(re|fwd?)[ \\t]*(\\[[^\\[\\]]*\\][ \\t]*)?:|^[ \\t]*\\[fwd:"
                        + "|\\(fwd\\)[ \\t]*$", java.util.regex.Pattern.CASE_INSENSITIVE);
        String[] tokens = {"re", "RE", "rE", "fw", "FWD", "d", ":", "[", "]", " ", "\t", "\r\n", "\n", "\r", "(fwd)",
            "(FwD)", "x", "[fwd:", "[x]", "\u2028", "\u0085", "\u212a", "\u017f", "e"};
        java.util.Random random = new java.util.Random(5256);
        int marked = 0;
        for (int run = 0; run < 200_000; run++) {
            StringBuilder subject = new StringBuilder();
            int n = random.nextInt(9);
            for (int i = 0; i < n; i++) {
                subject.append(tokens[random.nextInt(tokens.length)]);
            }
            boolean expected = legacy.matcher(subject).find();
            assertThat(Threading.isReplyOrForward(subject.toString())).as("%s", subject).isEqualTo(expected);
            marked += expected ? 1 : 0;
        }
        assertThat(marked).isBetween(10_000, 190_000);
    }
}
