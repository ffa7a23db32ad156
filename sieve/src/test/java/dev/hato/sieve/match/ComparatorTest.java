package dev.hato.sieve.match;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hato.sieve.Budget;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ComparatorTest {

    private static Comparator named(String name) {
        return Comparator.named(name).orElseThrow();
    }

    private static int sign(int n) {
        return Integer.signum(n);
    }

    @ParameterizedTest
    @CsvSource({"i;octet, i;octet", "I;OCTET, i;octet", "i;ASCII-casemap, i;ascii-casemap",
            "i;Ascii-Numeric, i;ascii-numeric", "I;UNICODE-CASEMAP, i;unicode-casemap"})
    void namesShouldCompareCaseInsensitively(String written, String name) {
        assertThat(named(written).name()).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "octet", "i;ascii-casemap ", "i;codepoint", "i;ascıı-casemap"})
    void unknownNamesShouldBeEmpty(String written) {
        assertThat(Comparator.named(written)).isEmpty();
    }

    @Test
    void onlyAsciiNumericShouldRefuseSubstrings() {
        assertThat(named("i;octet").substringSupported()).isTrue();
        assertThat(named("i;ascii-casemap").substringSupported()).isTrue();
        assertThat(named("i;unicode-casemap").substringSupported()).isTrue();
        assertThat(named("i;ascii-numeric").substringSupported()).isFalse();
        assertThatThrownBy(() -> named("i;ascii-numeric").contains("123", "2", Budget.generous()))
                .isInstanceOf(IllegalStateException.class);
    }

    /** comparator, value, key, equal, sign of compare. */
    @ParameterizedTest(name = "{0}: {1} vs {2}")
    @CsvSource(delimiter = '|', value = {
        "i;octet | abc | abc | true | 0",
        "i;octet | abc | ABC | false | 1",
        "i;octet | '' | '' | true | 0",
        "i;octet | '' | a | false | -1",
        "i;octet | ab | abc | false | -1",
        // UTF-8 and code point order: U+1F600 after U+FFFD, though UTF-16 sorts its surrogates first.
        "i;octet | 😀 | \uFFFD | false | 1",
        "i;octet | 議事録 | 議事録 | true | 0",
        "i;ascii-casemap | abc | ABC | true | 0",
        "i;ascii-casemap | TITLE | title | true | 0",
        "i;ascii-casemap | straße | STRASSE | false | 1",
        "i;ascii-casemap | ä | Ä | false | 1",
        "i;ascii-casemap | ärger | ÄRGER | false | 1",
        "i;ascii-casemap | ａ | Ａ | false | 1",
        "i;ascii-casemap | a | B | false | -1",
        "i;ascii-casemap | b | A | false | 1",
        "i;ascii-casemap | _ | a | false | 1",
        "i;ascii-casemap | 😀 | \uFFFD | false | 1",
        "i;unicode-casemap | abc | ABC | true | 0",
        "i;unicode-casemap | ä | Ä | true | 0",
        "i;unicode-casemap | ärger | ÄRGER | true | 0",
        "i;unicode-casemap | ａ | Ａ | true | 0",
        "i;unicode-casemap | ａ | A | true | 0",
        // RFC 5051 §2 titlecases first, then decomposes, and no more: U+FB01 has no simple titlecase and decomposes
        // to a lower-case "fi", which no ASCII string folds to (Dovecot's uni_utf8_to_decomposed_titlecase agrees).
        "i;unicode-casemap | ﬁ | ﬁ | true | 0",
        "i;unicode-casemap | ﬁ | fi | false | 1",
        "i;unicode-casemap | ﬁ | FI | false | 1",
        "i;unicode-casemap | straße | STRASSE | false | 1",
        "i;unicode-casemap | é | e\u0301 | true | 0",
        "i;unicode-casemap | Ǆ | ǅ | true | 0",
        "i;unicode-casemap | ı | I | true | 0",
        "i;unicode-casemap | İ | i | false | 1",
        "i;unicode-casemap | 議事録 | 議事録 | true | 0",
        "i;unicode-casemap | ｶﾞ | ガ | true | 0",
        "i;unicode-casemap | 가 | 가 | true | 0",
        "i;ascii-numeric | 4294967298 | 04294967298 | true | 0",
        "i;ascii-numeric | 4294967298b | 4294967298 | true | 0",
        "i;ascii-numeric | 0 | 1 | false | -1",
        "i;ascii-numeric | 1 | 4294967298 | false | -1",
        "i;ascii-numeric | 04294967298 | '' | false | -1",
        "i;ascii-numeric | '' | x | true | 0",
        "i;ascii-numeric | x | y | true | 0",
        "i;ascii-numeric | 0 | 000 | true | 0",
        "i;ascii-numeric | 000 | '' | false | -1",
        "i;ascii-numeric | 99999999999999999999999999 | 099999999999999999999999999 | true | 0",
        "i;ascii-numeric | 100000000000000000000000000 | 99999999999999999999999999 | false | 1",
        "i;ascii-numeric | 99999999999999999999999998 | 99999999999999999999999999 | false | -1",
        "i;ascii-numeric | ٣ | 3 | false | 1",
        "i;ascii-numeric | ' 1' | 1 | false | 1",
        "i;ascii-numeric | -1 | x | true | 0",
    })
    void equalAndCompareShouldFollowTheCollation(String comparator, String value, String key, boolean equal,
            int order) {
        Comparator c = named(comparator);
        assertThat(c.equal(value, key, Budget.generous())).isEqualTo(equal);
        assertThat(sign(c.compare(value, key, Budget.generous()))).isEqualTo(order);
        assertThat(sign(c.compare(key, value, Budget.generous()))).isEqualTo(-order);
    }

    /** comparator, value, key, contains. */
    @ParameterizedTest(name = "{0}: {1} contains {2}")
    @CsvSource(delimiter = '|', value = {
        "i;octet | frobnitzm | frob | true",
        "i;octet | frobnitzm | nit | true",
        "i;octet | frobnitzm | fbm | false",
        "i;octet | frobnitzm | '' | true",
        "i;octet | '' | '' | true",
        "i;octet | '' | x | false",
        "i;octet | frobnitzm | NIT | false",
        "i;octet | 会議の議事録です | 議事録 | true",
        "i;octet | x😀y | 😀 | true",
        "i;ascii-casemap | frobnitzm | NIT | true",
        "i;ascii-casemap | Straße | SS | false",
        "i;ascii-casemap | Ärger | ä | false",
        "i;ascii-casemap | Ärger | RGE | true",
        "i;ascii-casemap | 会議の議事録です | 議事録 | true",
        "i;unicode-casemap | Ärger | ä | true",
        "i;unicode-casemap | Ärger | a | true",
        "i;unicode-casemap | ﬁle | ﬁ | true",
        "i;unicode-casemap | ﬁle | LE | true",
        "i;unicode-casemap | ﬁle | FI | false",
        "i;unicode-casemap | Straße | SS | false",
        "i;unicode-casemap | 会議の議事録です | 議事録 | true",
        "i;unicode-casemap | '' | '' | true",
    })
    void containsShouldFindTheKeyAsASubstring(String comparator, String value, String key, boolean contains) {
        assertThat(named(comparator).contains(value, key, Budget.generous())).isEqualTo(contains);
    }

    /** Dovecot's test vectors for the same mapping (src/lib/test-unichar.c, test_unichar_collation). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"Plain! | PLAIN!", "ü ³ | U\u0308 3", "Ǆenan | Dz\u030CENAN",
        "côté | CO\u0302TE\u0301"})
    void unicodeCasemapShouldTitlecaseThenDecompose(String in, String expected) {
        Folded folded = Folded.of(in, named("i;unicode-casemap"), new Meter(Budget.generous()));
        int[] points = new int[folded.length()];
        for (int i = 0; i < points.length; i++) {
            points[i] = folded.point(i);
        }
        assertThat(points).containsExactly(expected.codePoints().toArray());
        assertThat(folded.units()).isEqualTo(in.codePointCount(0, in.length()));
    }

    @ParameterizedTest
    @CsvSource({"a, B, -1", "b, A, 1", "abc, ABD, -1", "_, a, 1", "é, É, 1", "x, xA, -1"})
    void casemapCharsShouldOrderAsTheMessageModulesCollation(String a, String b, int order) {
        assertThat(sign(Chars.compare(a, b, true, new Meter(Budget.generous())))).isEqualTo(order);
        assertThat(sign(dev.hato.message.AsciiCasemap.ORDER.compare(a, b))).isEqualTo(order);
    }

    @Test
    void asciiCasemapShouldNotDependOnTheDefaultLocale() {
        Locale saved = Locale.getDefault();
        try {
            Locale.setDefault(Locale.forLanguageTag("tr-TR"));
            assertThat(named("i;ascii-casemap").equal("title", "TITLE", Budget.generous())).isTrue();
            assertThat(named("i;unicode-casemap").equal("title", "TITLE", Budget.generous())).isTrue();
            assertThat(named("i;ascii-casemap").contains("TITLE", "i", Budget.generous())).isTrue();
        } finally {
            Locale.setDefault(saved);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"i;octet", "i;ascii-casemap", "i;unicode-casemap", "i;ascii-numeric"})
    void everyOperationShouldChargeItsWork(String name) {
        Comparator c = named(name);
        String big = "1".repeat(1_000_000);
        assertThatThrownBy(() -> c.equal(big, big, new Budget(1_000, Long.MAX_VALUE / 4)))
                .isInstanceOf(Budget.Exhausted.class);
        assertThatThrownBy(() -> c.compare(big, big, new Budget(1_000, Long.MAX_VALUE / 4)))
                .isInstanceOf(Budget.Exhausted.class);
        if (c.substringSupported()) {
            // value length × key length: a million comparisons for a small key that is nowhere in the value.
            assertThatThrownBy(() -> c.contains("a".repeat(200_000), "a".repeat(1_000) + "b",
                    new Budget(10_000, Long.MAX_VALUE / 4))).isInstanceOf(Budget.Exhausted.class);
        }
        assertThat(c.equal("12", "12", new Budget(3, Long.MAX_VALUE / 4))).isTrue();
    }

    @ParameterizedTest
    @CsvSource({"gt, GT", "GE, GE", "Lt, LT", "le, LE", "eq, EQ", "nE, NE"})
    void relationsShouldBeNamedCaseInsensitively(String written, Relation relation) {
        assertThat(Relation.named(written)).contains(relation);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "g", "gte", "=", "ｇｔ"})
    void unknownRelationsShouldBeEmpty(String written) {
        assertThat(Relation.named(written)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"GT, false, false, true", "GE, false, true, true", "LT, true, false, false", "LE, true, true, false",
            "EQ, false, true, false", "NE, true, false, true"})
    void relationsShouldHoldAsTheirOperators(Relation relation, boolean less, boolean equal, boolean greater) {
        assertThat(relation.holds(-7)).isEqualTo(less);
        assertThat(relation.holds(0)).isEqualTo(equal);
        assertThat(relation.holds(3)).isEqualTo(greater);
    }
}
