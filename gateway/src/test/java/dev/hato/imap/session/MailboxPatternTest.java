package dev.hato.imap.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hato.imap.wire.ModifiedUtf7;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MailboxPatternTest {

    @ParameterizedTest(name = "{0}{1} ~ {2}: {3}")
    @CsvSource({
        "'',*,INBOX,true",
        "'',%,a/b,false",
        "'',%,a,true",
        "'',a/%,a/b,true",
        "'',a/%,a/b/c,false",
        "'',a/*,a/b/c,true",
        "a/,%,a/b,true",
        "'',inbox,INBOX,true",
        "'',inBOX/%,INBOX/x,true",
        "'',&ZeVnLIqe-,\u65e5\u672c\u8a9e,true",
        "'',a.b,axb,false",
        "'',%*%,a/b,true",
        "'',%%%,a/b,false",
        "'',*a%,b/ac,true",
        "'',*a%,b/a/c,false",
        "'','',a,false",
        "'',*,'',true",
    })
    void listPatternsShouldFollowRfc3501(String reference, String pattern, String name, boolean matches) {
        assertThat(MailboxPattern.of(reference, pattern, false).matches(name)).isEqualTo(matches);
    }

    /** Runs of wildcards that once made a backtracking regex run for ever are answered at once. */
    @Test
    void manyWildcardsBeforeALiteralShouldNotMatchANameWithoutIt() {
        MailboxPattern pattern = MailboxPattern.of("", "%".repeat(2000) + "Z", false);
        assertThat(pattern.matches("a".repeat(1000))).isFalse();
        assertThat(pattern.matches("a".repeat(999) + "Z")).isTrue();
        assertThat(pattern.matches("a".repeat(500) + "/" + "a".repeat(498) + "Z")).isFalse();
        assertThat(MailboxPattern.of("", "*".repeat(2000) + "Z", false).matches("a/".repeat(499) + "Z")).isTrue();
    }

    @Test
    void patternsOverTheLengthLimitShouldBeRefusedCountingTheReferenceForEachPattern() {
        assertThat(MailboxPattern.compile("LIST", "", List.of("a".repeat(1024)), false, 1024, 64)).hasSize(1);
        assertThatThrownBy(() -> MailboxPattern.compile("LIST", "", List.of("a".repeat(1025)), false, 1024, 64))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("LIST pattern too long: 1025 characters with the reference, at most 1024");
        assertThatThrownBy(() -> MailboxPattern.compile("LIST", "r".repeat(510), List.of("a".repeat(20), "b"),
                false, 1024, 64)).hasMessage("LIST pattern too long: 1041 characters with the reference, at most 1024");
    }

    @Test
    void patternsOverTheWildcardLimitShouldBeRefusedCountedOverAllPatterns() {
        assertThat(MailboxPattern.compile("LSUB", "%", List.of("*".repeat(63)), false, 1024, 64)).hasSize(1);
        assertThatThrownBy(() -> MailboxPattern.compile("LSUB", "%", List.of("*".repeat(64)), false, 1024, 64))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("LSUB pattern has too many wildcards: 65, at most 64");
        assertThatThrownBy(() -> MailboxPattern.compile("LIST", "", List.of("%".repeat(40), "*".repeat(40)), false,
                1024, 64)).hasMessage("LIST pattern has too many wildcards: 80, at most 64");
    }

    @Test
    void patternsThatAreNotModifiedUtf7ShouldMatchNothingUnlessUtf8IsOn() {
        for (String name : new String[] {"", "a", "a&b", "a&b-", "INBOX", "x/y"}) {
            assertThat(MailboxPattern.of("", "a&b", false).matches(name)).isFalse();
            assertThat(MailboxPattern.of("", "&-&*", false).matches(name)).isFalse();
        }
        assertThat(MailboxPattern.of("", "a&b", true).matches("a&b")).isTrue();
    }

    /**
     * The matcher against the regular expression Hato built before (RFC 3501 §6.3.8 as java.util.regex): the same
     * answer for many generated patterns, references and names, short and long (past 64 pattern positions, where the
     * state bits span several words), with and without UTF8=ACCEPT.
     */
    @Test
    void matchingShouldAgreeWithTheRegexItReplaced() {
        Random random = new Random(20_261_204L);
        String[] wireTokens = {"a", "b", "/", "*", "%", "INBOX", "inbox", "Inbox", "x", "&-", "&ZeVnLIqe-", ".", "\\"};
        String[] references = {"", "a/", "INBOX", "inbox/", "%", "a*", "iNbOx"};
        int agreed = 0;
        int matched = 0;
        for (int run = 0; run < 30_000; run++) {
            boolean longOne = run % 10 == 0;
            StringBuilder wire = new StringBuilder();
            int tokens = longOne ? 40 + random.nextInt(60) : random.nextInt(8);
            int wildcards = 0;
            for (int t = 0; t < tokens; t++) {
                String token = wireTokens[random.nextInt(wireTokens.length)];
                boolean wildcard = token.equals("*") || token.equals("%");
                if (wildcard && longOne && wildcards >= 2) {
                    token = "a";
                } else if (wildcard) {
                    wildcards++;
                }
                wire.append(token);
            }
            String reference = references[random.nextInt(references.length)];
            boolean utf8 = random.nextInt(4) == 0;
            String decoded;
            try {
                decoded = utf8 ? reference + wire : ModifiedUtf7.decode(reference + wire);
            } catch (IllegalArgumentException notModifiedUtf7) {
                // Two shifts in a row ("&ZeVnLIqe-&ZeVnLIqe-") are not modified UTF-7: such a pattern matches nothing.
                String refused = wire.toString();
                assertThat(MailboxPattern.of(reference, refused, false)
                        .matches(randomName(random, longOne ? 150 : 10))).isFalse();
                continue;
            }
            String name = random.nextBoolean() ? expand(decoded, random) : randomName(random, longOne ? 150 : 10);
            boolean expected = legacy(reference, wire.toString(), utf8).matcher(name).matches();
            assertThat(MailboxPattern.of(reference, wire.toString(), utf8).matches(name))
                    .as("%s + %s (utf8 %s) ~ %s", reference, wire, utf8, name).isEqualTo(expected);
            agreed++;
            matched += expected ? 1 : 0;
        }
        // Both answers occur often enough for the comparison to mean something.
        assertThat(matched).isBetween(agreed / 10, agreed * 9 / 10);
    }

    /** A name the pattern may match: wildcards filled at random, sometimes one character changed. */
    private static String expand(String decoded, Random random) {
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < decoded.length(); i++) {
            char c = decoded.charAt(i);
            if (c == '*' || c == '%') {
                int n = random.nextInt(4);
                for (int k = 0; k < n; k++) {
                    name.append(c == '%' || random.nextBoolean() ? "ab".charAt(random.nextInt(2)) : '/');
                }
            } else {
                name.append(c);
            }
        }
        if (!name.isEmpty() && random.nextInt(3) == 0) {
            name.setCharAt(random.nextInt(name.length()), "ab/I".charAt(random.nextInt(4)));
        }
        return name.toString();
    }

    private static String randomName(Random random, int maxLength) {
        String[] parts = {"a", "b", "/", "INBOX", "x", "&", "\u65e5\u672c\u8a9e", "*", "%", "."};
        StringBuilder name = new StringBuilder();
        int n = random.nextInt(maxLength / 2 + 1);
        for (int i = 0; i < n; i++) {
            name.append(parts[random.nextInt(parts.length)]);
        }
        return name.toString();
    }

    /** The construction MailboxNames.pattern used until a LIST of many wildcards could stall a thread. */
    private static Pattern legacy(String reference, String wirePattern, boolean utf8) {
        String joined = reference + wirePattern;
        String decoded = utf8 ? joined : ModifiedUtf7.decode(joined);
        if (decoded.regionMatches(true, 0, "INBOX", 0, 5)
                && (decoded.length() == 5 || "/*%".indexOf(decoded.charAt(5)) >= 0)) {
            decoded = "INBOX" + decoded.substring(5);
        }
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < decoded.length(); i++) {
            char c = decoded.charAt(i);
            if (c == '*' || c == '%') {
                if (!literal.isEmpty()) {
                    regex.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(c == '*' ? ".*" : "[^/]*");
            } else {
                literal.append(c);
            }
        }
        if (!literal.isEmpty()) {
            regex.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }
}
