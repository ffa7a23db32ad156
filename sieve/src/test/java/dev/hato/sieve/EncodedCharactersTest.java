package dev.hato.sieve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EncodedCharactersTest {

    /** The examples of RFC 5228 §2.4.2.4, and what Pigeonhole 0.5.19 makes of the corners (checked with sieve-test). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "$${hex:40}|$@",
        "${hex: 40 }|@",
        "${HEX: 40}|@",
        "${hex:40|${hex:40",
        "${hex:400}|${hex:400}",
        "${hex:4${hex:30}}|${hex:40}",
        "${unicode:40}|@",
        "${ unicode:40}|${ unicode:40}",
        "${UNICODE:40}|@",
        "${UnICoDE:0000040}|@",
        "${Unicode:40}|@",
        "${unicode:3042 3044}|あい",
        "${hex:e3 81 82}|あ",
        "${hex:e3}${hex:81 82}|あ",
        "${hex:}|${hex:}",
        "${unicode:}|${unicode:}",
        "${hex:4x}|${hex:4x}",
        "no sequence|no sequence",
    })
    void encodedCharactersShouldBeDecodedAsTheRfcShows(String written, String meant) {
        assertThat(EncodedCharacters.decode(written)).isEqualTo(meant);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "${unicode:D800}|is not a Unicode character",
        "${unicode:110000}|is not a Unicode character",
        "${unicode:123456789}|is not a Unicode character",
        "${hex:ff}|do not make UTF-8 text",
        "${hex:e3 81}|do not make UTF-8 text",
    })
    void invalidCharactersShouldRefuseTheScript(String written, String reason) {
        assertThatThrownBy(() -> EncodedCharacters.decode(written)).hasMessageContaining(reason);
    }
}
