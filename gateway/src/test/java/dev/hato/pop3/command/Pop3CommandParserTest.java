package dev.hato.pop3.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class Pop3CommandParserTest {

    private final Pop3CommandParser parser = new Pop3CommandParser();

    static Stream<Arguments> validCommands() {
        return Stream.of(
                ok("USER alice", new Pop3Command.User("alice")),
                ok("user alice", new Pop3Command.User("alice")),
                ok("USER Alice@Example.ORG", new Pop3Command.User("Alice@Example.ORG")),
                // RFC 2449 §4: longer than 40 characters is fine for a user name that is a mail address.
                ok("USER " + "a".repeat(60) + "@example.org", new Pop3Command.User("a".repeat(60) + "@example.org")),
                ok("USER alice ", new Pop3Command.User("alice")),
                // RFC 1939 §7: the PASS argument is the rest of the line, spaces and all.
                ok("PASS secret", new Pop3Command.Pass("secret")),
                ok("pass two words ", new Pop3Command.Pass("two words ")),
                ok("PASS  leading space", new Pop3Command.Pass(" leading space")),
                ok("PASS ", new Pop3Command.Pass("")),
                ok("PASS " + "p".repeat(100), new Pop3Command.Pass("p".repeat(100))),
                ok("PASS caf\u00e9\tx", new Pop3Command.Pass("caf\u00e9\tx")),
                ok("STAT", new Pop3Command.Stat()),
                ok("stat", new Pop3Command.Stat()),
                ok("STAT ", new Pop3Command.Stat()),
                ok("LIST", new Pop3Command.List(null)),
                ok("LIST 1", new Pop3Command.List(1)),
                ok("list 42", new Pop3Command.List(42)),
                ok("LIST 007", new Pop3Command.List(7)),
                ok("LIST 2147483647", new Pop3Command.List(Integer.MAX_VALUE)),
                ok("UIDL", new Pop3Command.Uidl(null)),
                ok("uidl 3", new Pop3Command.Uidl(3)),
                ok("RETR 1", new Pop3Command.Retr(1)),
                ok("Retr 12", new Pop3Command.Retr(12)),
                ok("DELE 5", new Pop3Command.Dele(5)),
                ok("RSET", new Pop3Command.Rset()),
                ok("NOOP", new Pop3Command.Noop()),
                ok("QUIT", new Pop3Command.Quit()),
                ok("quit", new Pop3Command.Quit()),
                ok("TOP 1 0", new Pop3Command.Top(1, 0)),
                ok("top 3 10", new Pop3Command.Top(3, 10)),
                ok("TOP 1 2147483647", new Pop3Command.Top(1, Integer.MAX_VALUE)),
                ok("CAPA", new Pop3Command.Capa()),
                ok("STLS", new Pop3Command.Stls()),
                ok("stls", new Pop3Command.Stls()),
                ok("UTF8", new Pop3Command.Utf8()),
                ok("utf8", new Pop3Command.Utf8()),
                ok("UTF9", new Pop3Command.Unknown("UTF9")),
                ok("8UTF", new Pop3Command.Unknown("8UTF")),
                ok("AUTH", new Pop3Command.Auth(null, null)),
                ok("AUTH PLAIN", new Pop3Command.Auth("PLAIN", null)),
                ok("auth plain", new Pop3Command.Auth("PLAIN", null)),
                ok("AUTH PLAIN =", new Pop3Command.Auth("PLAIN", "=")),
                ok("AUTH PLAIN " + "QUxB".repeat(20), new Pop3Command.Auth("PLAIN", "QUxB".repeat(20))),
                ok("AUTH SCRAM-SHA-256", new Pop3Command.Auth("SCRAM-SHA-256", null)),
                ok("APOP alice c4c9334bac560ecc979e58001b3e22fb", new Pop3Command.Unknown("APOP")),
                ok("XTND XMIT", new Pop3Command.Unknown("XTND")),
                ok("LISTS", new Pop3Command.Unknown("LISTS")),
                ok("LI", new Pop3Command.Unknown("LI")),
                ok("", new Pop3Command.Unknown("")),
                ok(" LIST", new Pop3Command.Unknown("")),
                ok("L1ST", new Pop3Command.Unknown("L1ST")),
                // ASCII-only case folding: the long s must not become STAT.
                ok("\u017ftat", new Pop3Command.Unknown("\u017fTAT")));
    }

    static Stream<Arguments> invalidCommands() {
        return Stream.of(
                invalid("USER", "Syntax: USER name"),
                invalid("USER ", "Syntax: USER name"),
                invalid("USER a b", "Syntax: USER name"),
                invalid("USER  alice", "Syntax error: arguments must be separated by single spaces"),
                invalid("PASS", "Syntax: PASS password"),
                invalid("STAT 1", "Syntax: STAT"),
                invalid("RSET x", "Syntax: RSET"),
                invalid("NOOP x", "Syntax: NOOP"),
                invalid("QUIT now", "Syntax: QUIT"),
                invalid("CAPA x", "Syntax: CAPA"),
                invalid("STLS x", "Syntax: STLS"),
                invalid("UTF8 USER", "Syntax: UTF8"),
                invalid("LIST 0", "Invalid message number"),
                invalid("LIST -1", "Invalid message number"),
                invalid("LIST +1", "Invalid message number"),
                invalid("LIST one", "Invalid message number"),
                invalid("LIST 1.0", "Invalid message number"),
                invalid("LIST 0x1", "Invalid message number"),
                invalid("LIST 2147483648", "Invalid message number"),
                invalid("LIST 99999999999999999999", "Invalid message number"),
                invalid("LIST " + "0".repeat(40) + "1", "Invalid message number"),
                invalid("LIST \u0661", "Invalid message number"),
                invalid("LIST 1 2", "Syntax: LIST [message]"),
                invalid("LIST  1", "Syntax error: arguments must be separated by single spaces"),
                invalid("UIDL 0", "Invalid message number"),
                invalid("UIDL 1 2", "Syntax: UIDL [message]"),
                invalid("RETR", "Syntax: RETR message"),
                invalid("RETR 0", "Invalid message number"),
                invalid("RETR -5", "Invalid message number"),
                invalid("RETR 1 2", "Syntax: RETR message"),
                invalid("DELE", "Syntax: DELE message"),
                invalid("DELE x", "Invalid message number"),
                invalid("DELE 4294967297", "Invalid message number"),
                invalid("TOP", "Syntax: TOP message lines"),
                invalid("TOP 1", "Syntax: TOP message lines"),
                invalid("TOP 1 2 3", "Syntax: TOP message lines"),
                invalid("TOP 0 1", "Invalid message number"),
                invalid("TOP 1 -1", "Invalid number of lines"),
                invalid("TOP 1 x", "Invalid number of lines"),
                invalid("TOP 1 2147483648", "Invalid number of lines"),
                invalid("TOP 1  2", "Syntax error: arguments must be separated by single spaces"),
                invalid("AUTH PL@IN", "Syntax: AUTH mechanism [initial-response]"),
                invalid("AUTH PLAIN a b", "Syntax: AUTH mechanism [initial-response]"),
                invalid("AUTH " + "A".repeat(21), "Syntax: AUTH mechanism [initial-response]"),
                invalid("USER a\0b", "Syntax error: control characters not allowed"),
                invalid("LIST\t1", "Syntax error: control characters not allowed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validCommands")
    void parserShouldRecognizeTheCommand(String line, Pop3Command expected) {
        assertThat(parser.parse(line)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidCommands")
    void parserShouldRejectTheSyntaxWithAnErrText(String line, String text) {
        assertThat(parser.parse(line)).isEqualTo(new Pop3Command.Invalid(text));
    }

    /** RFC 6856 §2.2: user names and passwords that are not well-formed UTF-8 (RFC 3629) are refused. */
    @Test
    void userAndPassThatAreNotWellFormedUtf8ShouldBeSyntaxErrors() {
        Pop3Command.Invalid notUtf8 = new Pop3Command.Invalid("Syntax error: not valid UTF-8");
        assertThat(parser.parse(octets("USER ann", 0xFF))).isEqualTo(notUtf8);
        assertThat(parser.parse(octets("PASS pw", 0xC3, 0x28))).isEqualTo(notUtf8); // a lead octet, no continuation
        assertThat(parser.parse(octets("PASS pw", 0xC0, 0xAF))).isEqualTo(notUtf8); // overlong "/"
        assertThat(parser.parse(octets("PASS pw", 0xED, 0xA0, 0x80))).isEqualTo(notUtf8); // a UTF-16 surrogate
        assertThat(parser.parse(octets("USER j", 0xC3, 0xB6, 'r', 'g'))).isEqualTo(new Pop3Command.User("j\u00f6rg"));
        assertThat(parser.parse(octets("PASS p", 0xC3, 0xA5, ' ', 'x'))).isEqualTo(new Pop3Command.Pass("p\u00e5 x"));
    }

    private static byte[] octets(String ascii, int... more) {
        byte[] start = ascii.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] all = java.util.Arrays.copyOf(start, start.length + more.length);
        for (int i = 0; i < more.length; i++) {
            all[start.length + i] = (byte) more[i];
        }
        return all;
    }

    @Test
    void passShouldNotShowThePasswordWhenLogged() {
        assertThat(new Pop3Command.Pass("hunter2")).asString().doesNotContain("hunter2");
    }

    @Test
    void theParserShouldNeverThrow() {
        String[] fragments = {"LIST", "TOP", "PASS", "USER", "AUTH", " ", "1", "0", "-", "x", "\u00e9", "\0", "99999999999"};
        java.util.Random random = new java.util.Random(1939);
        for (int n = 0; n < 20_000; n++) {
            StringBuilder line = new StringBuilder();
            int parts = random.nextInt(8);
            for (int k = 0; k < parts; k++) {
                line.append(fragments[random.nextInt(fragments.length)]);
            }
            assertThat(parser.parse(line.toString())).as(line.toString()).isNotNull();
        }
    }

    private static Arguments ok(String line, Pop3Command expected) {
        return Arguments.of(line, expected);
    }

    private static Arguments invalid(String line, String text) {
        return Arguments.of(line, text);
    }
}
