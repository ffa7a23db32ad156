package dev.hato.smtp.command;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class XtextTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "QQ314159            | false | QQ314159",
        "b+2Bx@remote.test   | false | b+x@remote.test",
        "a+20b               | false | a b",
        "caf+C3+A9@x.test    | false | café@x.test",
        "bad+ZZ              | false | NULL",
        "bad+2b              | false | NULL",
        "trailing+2          | false | NULL",
        "has=equals          | false | NULL",
        "caf\\x{E9}@x.test   | true  | café@x.test",
        "caf\\x{E9}@x.test   | false | caf\\x{E9}@x.test",
        "\\x{}               | true  | NULL",
        "\\x{110000}         | true  | NULL",
        "日本@x.test          | true  | 日本@x.test",
        "日本@x.test          | false | NULL"})
    void decodeShouldFollowRfc3461AndRfc6533(String input, boolean unicode, String expected) {
        assertThat(Xtext.decode(input.trim(), unicode)).isEqualTo(expected);
    }
}
