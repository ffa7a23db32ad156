package dev.hato.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BaseSubjectTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "Re: Fwd: [list] hello (fwd)|hello",
        "[fwd: Re: hello]|hello",
        "[list] [tag]|[tag]",
        "re[2]: x|x",
        "  Hello   World  |hello world",
        "[x][y]z|z",
    })
    void baseSubjectsShouldFollowRfc5256(String subject, String base) {
        assertThat(BaseSubject.of(subject)).isEqualTo(base);
    }

    /**
     * Subjects a sender may pick to make every delivery slow: each once cost time quadratic in its length (a
     * subject of 40,000 "[x]" took seconds, of 300,000 minutes). The timeout is only there to fail the old code.
     */
    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void longSubjectsOfLeadersBlobsAndTrailersShouldTakeLinearTime() {
        assertThat(BaseSubject.of("[x]".repeat(300_000) + "z")).isEqualTo("z");
        assertThat(BaseSubject.of("re:".repeat(300_000) + "z")).isEqualTo("z");
        assertThat(BaseSubject.of("[x]re:".repeat(150_000) + "z")).isEqualTo("z");
        assertThat(BaseSubject.of("z" + "(fwd)".repeat(200_000))).isEqualTo("z");
        assertThat(BaseSubject.of("[fwd:".repeat(100_000) + "z" + "]".repeat(100_000))).isEqualTo("z");
        assertThat(BaseSubject.of("[x] ".repeat(200_000))).isEqualTo("[x]");
    }

    /** The same base subject as the step-by-step implementation it replaced, for many generated subjects. */
    @Test
    void baseSubjectShouldAgreeWithTheImplementationItReplaced() {
        String[] tokens = {"re", "RE", "fw", "Fwd", "d", ":", "[", "]", " ", "\t", "\r\n", "(fwd)", "(FWD)", "x",
            "[fwd:", "[x]", "[\u00e9]", "\u3000", "\u0000", "e", "  "};
        Random random = new Random(2_1_5256L);
        for (int run = 0; run < 200_000; run++) {
            StringBuilder subject = new StringBuilder();
            int n = random.nextInt(12);
            for (int i = 0; i < n; i++) {
                subject.append(tokens[random.nextInt(tokens.length)]);
            }
            String text = subject.toString();
            assertThat(BaseSubject.of(text)).as("%s", text).isEqualTo(Legacy.of(text));
        }
    }

    /** BaseSubject as it was before its steps were made linear, the reference for the differential test. */
    private static final class Legacy {

        static String of(String decodedSubject) {
            // (1) tabs and continuations become spaces, runs of spaces one space
            String subject = decodedSubject.replaceAll("[\\t\\r\\n ]+", " ");
            while (true) {
                // (2) subj-trailer = "(fwd)" / WSP, repeatedly
                subject = removeTrailers(subject);
                // (3), (4), (5): subj-leader and a subj-blob that leaves a non-empty base, until neither applies
                while (true) {
                    String before = subject;
                    subject = removeLeaders(subject);
                    int blob = blobEnd(subject, 0);
                    if (blob > 0 && !subject.substring(blob).isBlank()) {
                        subject = subject.substring(blob);
                    }
                    if (subject.equals(before)) {
                        break;
                    }
                }
                // (6) "[fwd:" ... "]" around the whole: remove and repeat from (2)
                if (subject.length() >= 6 && subject.regionMatches(true, 0, "[fwd:", 0, 5) && subject.endsWith("]")) {
                    subject = subject.substring(5, subject.length() - 1);
                    continue;
                }
                break;
            }
            return subject.toLowerCase(Locale.ROOT);
        }

        private static String removeTrailers(String subject) {
            String s = subject;
            while (true) {
                if (s.endsWith(" ")) {
                    s = s.substring(0, s.length() - 1);
                } else if (s.length() >= 5 && s.regionMatches(true, s.length() - 5, "(fwd)", 0, 5)) {
                    s = s.substring(0, s.length() - 5);
                } else {
                    return s;
                }
            }
        }

        /** subj-leader = (*subj-blob subj-refwd) / WSP, removed as long as one matches. */
        private static String removeLeaders(String subject) {
            String s = subject;
            while (true) {
                if (s.startsWith(" ")) {
                    s = s.substring(1);
                    continue;
                }
                int pos = 0;
                int blob;
                while ((blob = blobEnd(s, pos)) > 0) {
                    pos = blob;
                }
                int refwd = refwdEnd(s, pos);
                if (refwd < 0) {
                    return s;
                }
                s = s.substring(refwd);
            }
        }

        /** subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"; the end index, or -1. */
        private static int refwdEnd(String s, int start) {
            int pos;
            if (s.regionMatches(true, start, "re", 0, 2)) {
                pos = start + 2;
            } else if (s.regionMatches(true, start, "fwd", 0, 3)) {
                pos = start + 3;
            } else if (s.regionMatches(true, start, "fw", 0, 2)) {
                pos = start + 2;
            } else {
                return -1;
            }
            while (pos < s.length() && s.charAt(pos) == ' ') {
                pos++;
            }
            int blob = blobEnd(s, pos);
            if (blob > 0) {
                pos = blob;
            }
            return pos < s.length() && s.charAt(pos) == ':' ? pos + 1 : -1;
        }

        /** subj-blob = "[" *BLOBCHAR "]" *WSP, BLOBCHAR any 7-bit CHAR but "[" and "]"; the end index, or -1. */
        private static int blobEnd(String s, int start) {
            if (start >= s.length() || s.charAt(start) != '[') {
                return -1;
            }
            int pos = start + 1;
            while (pos < s.length() && s.charAt(pos) != ']') {
                char c = s.charAt(pos);
                if (c == '[' || c == 0 || c > 0x7F) {
                    return -1;
                }
                pos++;
            }
            if (pos >= s.length()) {
                return -1;
            }
            pos++;
            while (pos < s.length() && s.charAt(pos) == ' ') {
                pos++;
            }
            return pos;
        }
    }
}
