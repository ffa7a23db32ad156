package dev.hato.sieve.match;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hato.sieve.Budget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GlobTest {

    private static Comparator named(String name) {
        return Comparator.named(name).orElseThrow();
    }

    private static @Nullable List<String> match(String comparator, String pattern, String value) {
        return Glob.compile(pattern, named(comparator)).match(value, Budget.generous());
    }

    /** comparator # pattern # value # the captures ${0}..${n} joined by '|', or "-" when no match. */
    @ParameterizedTest(name = "{0}: {1} on {2}")
    @CsvSource(delimiter = '#', value = {
        // RFC 5229 §3.2's examples.
        "i;ascii-casemap # *<*@* # Acme <acme-users@lists.example.com> # Acme <acme-users@lists.example.com>|Acme |acme-users|lists.example.com>",
        "i;ascii-casemap # [*] * # [acme-users] [fwd] version 1.0 is out # [acme-users] [fwd] version 1.0 is out|acme-users|[fwd] version 1.0 is out",
        "i;ascii-casemap # coyote@**.com # coyote@ACME.Example.COM # coyote@ACME.Example.COM||ACME.Example",
        // Pigeonhole's testsuite (variables/match.svtest, "RFC - not greedy").
        "i;ascii-casemap # ?*frop* # frop.......frop.........frop.... # frop.......frop.........frop....|f|rop.......|.........frop....",
        // Empty pattern and empty value.
        "i;octet # '' #  '' # ''",
        "i;octet # '' #  x # -",
        "i;octet # * #   '' # '|'",
        "i;octet # ? #   '' # -",
        "i;octet # ** #  ab # ab||ab",
        // Escapes (RFC 5228 §2.7.1): "\\*" in the script is \* in the string, a literal star.
        "i;octet # \\* #    * # *",
        "i;octet # \\* #    x # -",
        "i;octet # \\? #    ? # ?",
        "i;octet # \\? #    x # -",
        "i;octet # \\\\ #   \\ # \\",
        "i;octet # \\\\* #  \\x # \\x|x",
        "i;octet # \\a #    a # a",
        "i;octet # a\\*b* # a*bc # a*bc|c",
        // A trailing backslash escapes nothing and is itself.
        "i;octet # x\\ #    x\\ # x\\",
        "i;octet # x\\ #    x # -",
        "i;octet # *\\ #    ab\\ # ab\\|ab",
        // '?' is one character: a code point, a surrogate pair included.
        "i;octet # x?y #    xäy # xäy|ä",
        "i;octet # x??y #   xäy # -",
        "i;octet # x?y #    x😀y # x😀y|😀",
        "i;octet # x??y #   x😀y # -",
        "i;octet # *? #     a😀 # a😀|a|😀",
        "i;octet # ?*? #    😀😀😀 # 😀😀😀|😀|😀|😀",
        // Japanese.
        "i;octet # *議事録* # 会議の議事録です # 会議の議事録です|会議の|です",
        "i;octet # 会議の?事録 # 会議の議事録 # 会議の議事録|議",
        "i;octet # *の*録 # 会議の議事録 # 会議の議事録|会議|議事",
        "i;ascii-casemap # *議事録* # Re: 会議の議事録 # Re: 会議の議事録|Re: 会議の|",
        // Case rules of each comparator; captures are the value's text, not its folded form.
        "i;octet # ABC* # abcdef # -",
        "i;ascii-casemap # ABC* # abcdef # abcdef|def",
        "i;ascii-casemap # STRASSE* # straße # -",
        "i;ascii-casemap # Ä* # ä # -",
        "i;ascii-casemap # ａ* # Ａ # -",
        "i;unicode-casemap # Ä* # äx # äx|x",
        "i;unicode-casemap # ?rger # Ärger # Ärger|Ä",
        "i;unicode-casemap # a? # äx # -",
        "i;unicode-casemap # ａ* # Ａbc # Ａbc|bc",
        "i;unicode-casemap # *é* # CAFE\u0301S # CAFE\u0301S|CAF|S",
        "i;unicode-casemap # caf? # CAFÉ # CAFÉ|É",
        "i;unicode-casemap # *ﬁ* # ﬁle # ﬁle||le",
        "i;unicode-casemap # STRASSE # straße # -",
        // Shortest first, wildcard by wildcard.
        "i;octet # *a* #   banana # banana|b|nana",
        "i;octet # *a*a* # banana # banana|b|n|na",
        "i;octet # *.* #   a.b.c # a.b.c|a|b.c",
        "i;octet # *@* #   a@b@c # a@b@c|a|b@c",
        "i;octet # *?*?* # ab # ab||a||b|",
        "i;octet # *a? #   aaaa # aaaa|aa|a",
        "i;octet # *.com # x.com.com # x.com.com|x.com",
    })
    void matchShouldGiveTheCapturesOfRfc5229(String comparator, String pattern, String value, String expected) {
        List<String> captures = match(comparator, pattern, value);
        if (expected.equals("-")) {
            assertThat(captures).isNull();
        } else {
            assertThat(captures).containsExactly(expected.split("\\|", -1));
            assertThat(Glob.compile(pattern, named(comparator)).matches(value, Budget.generous())).isTrue();
        }
    }

    @Test
    void asciiNumericShouldNotCompile() {
        assertThatThrownBy(() -> Glob.compile("1*", named("i;ascii-numeric")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"i;octet", "i;ascii-casemap", "i;unicode-casemap"})
    void manyStarsShouldNotBacktrack(String comparator) {
        String value = "a".repeat(200_000);
        Glob glob = Glob.compile("*a*a*a*a*a*a*b", named(comparator));
        long start = System.nanoTime();
        assertThat(glob.match(value, Budget.generous())).isNull();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        assertThat(glob.match(value + "b", Budget.generous())).hasSize(8);
        // Folding the value alone is 200,000 / 64 steps: a small budget stops it early.
        assertThatThrownBy(() -> glob.match(value, new Budget(100, Long.MAX_VALUE / 4)))
                .isInstanceOf(Budget.Exhausted.class);
    }

    @Test
    void theWorstPatternShouldCostValueTimesPatternAndBeStopped() {
        // Each start position compares up to 51 characters before failing: 10 million comparisons.
        String value = "a".repeat(200_000);
        Glob glob = Glob.compile("*" + "a".repeat(50) + "b*", named("i;ascii-casemap"));
        long start = System.nanoTime();
        assertThat(glob.match(value, Budget.generous())).isNull();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        assertThatThrownBy(() -> glob.match(value, new Budget(10_000, Long.MAX_VALUE / 4)))
                .isInstanceOf(Budget.Exhausted.class);
    }

    @Test
    void aSpentClockShouldStopAMatch() {
        Glob glob = Glob.compile("*" + "a".repeat(50) + "b*", named("i;octet"));
        Budget budget = new Budget(Long.MAX_VALUE / 2, 1);
        assertThatThrownBy(() -> glob.match("a".repeat(200_000), budget)).isInstanceOf(Budget.Exhausted.class);
    }

    /**
     * Random patterns and values against {@link #reference}: whether they match, and the captures, for i;octet,
     * i;ascii-casemap and i;unicode-casemap (with characters that fold to several code points).
     */
    @ParameterizedTest
    @CsvSource({"i;octet, ab", "i;ascii-casemap, aAbB", "i;unicode-casemap, aAäÄbß😀"})
    void matchShouldAgreeWithAnObviouslyCorrectMatcher(String comparator, String alphabet) {
        Random random = new Random(5229);
        int[] letters = alphabet.codePoints().toArray();
        Comparator c = named(comparator);
        int matched = 0;
        for (int n = 0; n < 20_000; n++) {
            String pattern = randomString(random, letters, "*?\\", 7);
            String value = randomString(random, letters, "", 9);
            List<String> expected = reference(pattern, value, c);
            assertThat(Glob.compile(pattern, c).match(value, Budget.generous()))
                    .as("%s on %s", pattern, value).isEqualTo(expected);
            matched += expected == null ? 0 : 1;
        }
        assertThat(matched).as("matches among the random cases").isGreaterThan(500);
    }

    private static String randomString(Random random, int[] letters, String specials, int maxLength) {
        StringBuilder out = new StringBuilder();
        int length = random.nextInt(maxLength + 1);
        for (int i = 0; i < length; i++) {
            if (!specials.isEmpty() && random.nextInt(3) == 0) {
                out.append(specials.charAt(random.nextInt(specials.length())));
            } else {
                out.appendCodePoint(letters[random.nextInt(letters.length)]);
            }
        }
        return out.toString();
    }

    /**
     * RFC 5228 §2.7.1 and RFC 5229 §3.2 as literally as possible: a recursion over pattern and value characters that
     * tries each '*' shortest first, so the first full match found is the one where the first wildcard is as short as
     * it can be, then the next; failed positions memoized. Characters compare by their folded forms, one pattern
     * character against one value character, which is what the glob does when every character's folded form is
     * whole (the alphabets above).
     */
    private static @Nullable List<String> reference(String pattern, String value, Comparator comparator) {
        List<int[]> tokens = new ArrayList<>(); // {kind, codePoint}: 0 literal, 1 '?', 2 '*'
        for (int i = 0; i < pattern.length(); ) {
            int c = pattern.codePointAt(i);
            i += Character.charCount(c);
            if (c == '\\' && i < pattern.length()) {
                c = pattern.codePointAt(i);
                i += Character.charCount(c);
                tokens.add(new int[] {0, c});
            } else {
                tokens.add(new int[] {c == '?' ? 1 : c == '*' ? 2 : 0, c});
            }
        }
        int[] chars = value.codePoints().toArray();
        List<String> captures = new ArrayList<>();
        captures.add(value);
        Set<Long> failed = new HashSet<>();
        return walk(tokens, 0, chars, 0, comparator, captures, failed) ? captures : null;
    }

    private static boolean walk(List<int[]> tokens, int t, int[] chars, int v, Comparator comparator,
            List<String> captures, Set<Long> failed) {
        if (t == tokens.size()) {
            return v == chars.length;
        }
        long state = (long) t << 32 | v;
        if (failed.contains(state)) {
            return false;
        }
        int[] token = tokens.get(t);
        int mark = captures.size();
        boolean ok = false;
        if (token[0] == 2) {
            for (int end = v; end <= chars.length && !ok; end++) {
                captures.add(new String(chars, v, end - v));
                ok = walk(tokens, t + 1, chars, end, comparator, captures, failed);
                if (!ok) {
                    captures.subList(mark, captures.size()).clear();
                }
            }
        } else if (v < chars.length && (token[0] == 1 || Arrays.equals(
                Folded.map(token[1], comparator), Folded.map(chars[v], comparator)))) {
            if (token[0] == 1) {
                captures.add(new String(chars, v, 1));
            }
            ok = walk(tokens, t + 1, chars, v + 1, comparator, captures, failed);
            if (!ok) {
                captures.subList(mark, captures.size()).clear();
            }
        }
        if (!ok) {
            failed.add(state);
        }
        return ok;
    }
}
