package dev.hato.smtp.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SmtpCommandParserTest {

    private final SmtpCommandParser parser = new SmtpCommandParser();

    static Stream<Arguments> validCommands() {
        return Stream.of(
                // RFC 5321 §4.1.1.1
                ok("EHLO client.example", new SmtpCommand.Ehlo("client.example")),
                ok("ehlo client.example", new SmtpCommand.Ehlo("client.example")),
                ok("EhLo [192.0.2.1]", new SmtpCommand.Ehlo("[192.0.2.1]")),
                ok("EHLO client.example   ", new SmtpCommand.Ehlo("client.example")),
                ok("HELO client.example", new SmtpCommand.Helo("client.example")),
                ok("helo client", new SmtpCommand.Helo("client")),
                // RFC 5321 §4.1.1.2
                ok("MAIL FROM:<a@b.example>", mail("a@b.example")),
                ok("mail from:<a@b.example>", mail("a@b.example")),
                ok("Mail From:<A@B.Example>", mail("A@B.Example")),
                ok("MAIL FROM: <a@b.example>", mail("a@b.example")),
                ok("MAIL FROM:<a@b.example>  ", mail("a@b.example")),
                ok("MAIL FROM:<>", mail("")),
                ok("MAIL FROM:<> SIZE=0", mail("", "SIZE", "0")),
                ok("MAIL FROM:<a@b.example> SIZE=123 BODY=8BITMIME", mail("a@b.example", "SIZE", "123", "BODY", "8BITMIME")),
                ok("MAIL FROM:<a@b.example> size=123 body=8bitmime", mail("a@b.example", "SIZE", "123", "BODY", "8bitmime")),
                ok("MAIL FROM:<a@b.example> SMTPUTF8", mail("a@b.example", "SMTPUTF8", null)),
                ok("MAIL FROM:<a@b.example> RET=HDRS ENVID=QQ314159", mail("a@b.example", "RET", "HDRS", "ENVID", "QQ314159")),
                ok("MAIL FROM:<a@b.example>  SIZE=1   BODY=7BIT", mail("a@b.example", "SIZE", "1", "BODY", "7BIT")),
                ok("MAIL FROM:<a@b.example> AUTH=<>", mail("a@b.example", "AUTH", "<>")),
                ok("MAIL FROM:<a+tag!#$%&'*/=?^_`{|}~-@b.example>", mail("a+tag!#$%&'*/=?^_`{|}~-@b.example")),
                ok("MAIL FROM:<first.last@sub.b-c.example>", mail("first.last@sub.b-c.example")),
                ok("MAIL FROM:<a@[127.0.0.1]>", mail("a@[127.0.0.1]")),
                ok("MAIL FROM:<a@[IPv6:2001:db8::1]>", mail("a@[IPv6:2001:db8::1]")),
                ok("MAIL FROM:<a@[ipv6:2001:DB8:0:0:0:0:0:1]>", mail("a@[ipv6:2001:DB8:0:0:0:0:0:1]")),
                ok("MAIL FROM:<a@[IPv6:::ffff:192.0.2.1]>", mail("a@[IPv6:::ffff:192.0.2.1]")),
                ok("MAIL FROM:<a@[IPv6:::]>", mail("a@[IPv6:::]")),
                ok("MAIL FROM:<a@[IPv6:1:2:3:4:5:6:192.0.2.1]>", mail("a@[IPv6:1:2:3:4:5:6:192.0.2.1]")),
                // Quoted local parts are kept as written.
                ok("MAIL FROM:<\"john doe\"@b.example>", mail("\"john doe\"@b.example")),
                ok("MAIL FROM:<\"a\\\"b\"@b.example>", mail("\"a\\\"b\"@b.example")),
                ok("MAIL FROM:<\"a>b\"@b.example>", mail("\"a>b\"@b.example")),
                ok("MAIL FROM:<\"\"@b.example>", mail("\"\"@b.example")),
                // RFC 5321 §4.1.2 A-d-l and Appendix C: source routes accepted, dropped.
                ok("MAIL FROM:<@a.example,@b.example:user@c.example>", mail("user@c.example")),
                ok("MAIL FROM:<@a.example:user@c.example> SIZE=10", mail("user@c.example", "SIZE", "10")),
                // RFC 6531: non-ASCII addresses do not choke the parser.
                ok("MAIL FROM:<j\u00f6rg@b\u00fccher.example>", mail("j\u00f6rg@b\u00fccher.example")),
                ok("MAIL FROM:<\"j\u00f6rg m\"@b.example> SMTPUTF8", mail("\"j\u00f6rg m\"@b.example", "SMTPUTF8", null)),
                ok("MAIL FROM:<" + "a".repeat(64) + "@b.example>", mail("a".repeat(64) + "@b.example")),
                ok("MAIL FROM:<a@" + domainOfLength(252) + ">", mail("a@" + domainOfLength(252))),
                // RFC 5321 §4.1.1.3
                ok("RCPT TO:<c@d.example>", rcpt("c@d.example")),
                ok("rcpt to:<c@d.example>", rcpt("c@d.example")),
                ok("RCPT TO: <c@d.example>", rcpt("c@d.example")),
                ok("RCPT TO:<postmaster>", rcpt("postmaster")),
                ok("RCPT TO:<Postmaster>", rcpt("Postmaster")),
                ok("RCPT TO:<postmaster@d.example>", rcpt("postmaster@d.example")),
                ok("RCPT TO:<@a.example:user@c.example>", rcpt("user@c.example")),
                ok("RCPT TO:<\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a>", rcpt("\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a")),
                ok("RCPT TO:<c@d.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;c@d.example",
                        rcpt("c@d.example", "NOTIFY", "SUCCESS,FAILURE", "ORCPT", "rfc822;c@d.example")),
                ok("DATA", new SmtpCommand.Data()),
                ok("data", new SmtpCommand.Data()),
                ok("DATA ", new SmtpCommand.Data()),
                ok("RSET", new SmtpCommand.Rset()),
                ok("rset", new SmtpCommand.Rset()),
                ok("QUIT", new SmtpCommand.Quit()),
                ok("Quit", new SmtpCommand.Quit()),
                ok("STARTTLS", new SmtpCommand.StartTls()),
                ok("starttls", new SmtpCommand.StartTls()),
                ok("NOOP", new SmtpCommand.Noop()),
                ok("noop anything at all", new SmtpCommand.Noop()),
                ok("HELP", new SmtpCommand.Help("")),
                ok("help MAIL", new SmtpCommand.Help("MAIL")),
                ok("VRFY user", new SmtpCommand.Vrfy("user")),
                ok("vrfy <a@b.example>", new SmtpCommand.Vrfy("<a@b.example>")),
                ok("EXPN staff", new SmtpCommand.Expn("staff")),
                // RFC 4954 §4
                ok("AUTH PLAIN", new SmtpCommand.Auth("PLAIN", null)),
                ok("auth plain dGVzdAB0ZXN0AHRlc3Q=", new SmtpCommand.Auth("PLAIN", "dGVzdAB0ZXN0AHRlc3Q=")),
                ok("AUTH LOGIN =", new SmtpCommand.Auth("LOGIN", "=")),
                ok("AUTH scram-sha-256", new SmtpCommand.Auth("SCRAM-SHA-256", null)),
                ok("AUTH X_" + "A".repeat(18), new SmtpCommand.Auth("X_" + "A".repeat(18), null)),
                // RFC 3030 §3
                ok("BDAT 1000", new SmtpCommand.Bdat(1000, false)),
                ok("BDAT 0 LAST", new SmtpCommand.Bdat(0, true)),
                ok("bdat 12 last", new SmtpCommand.Bdat(12, true)),
                ok("BDAT 999999999999999999", new SmtpCommand.Bdat(999_999_999_999_999_999L, false)),
                ok("RCPT TO:<c@d.example> NOTIFY", rcpt("c@d.example", "NOTIFY", null)),
                ok("FOO bar", new SmtpCommand.Unknown("FOO")),
                ok("MAILFROM:<a@b.example>", new SmtpCommand.Unknown("MAILFROM:<A@B.EXAMPLE>")),
                ok("ehlox client", new SmtpCommand.Unknown("EHLOX")),
                ok("", new SmtpCommand.Unknown("")),
                // ASCII-only case folding: the long s must not become STARTTLS.
                ok("\u017ftarttls", new SmtpCommand.Unknown("\u017fTARTTLS")));
    }

    static Stream<Arguments> invalidCommands() {
        return Stream.of(
                invalid("EHLO", 501, "5.5.4"),
                invalid("EHLO ", 501, "5.5.4"),
                invalid("EHLO    ", 501, "5.5.4"),
                invalid("HELO", 501, "5.5.4"),
                invalid("MAIL", 501, "5.5.4"),
                invalid("MAIL FROM:", 501, "5.5.4"),
                invalid("MAIL FROM", 501, "5.5.4"),
                invalid("MAIL TO:<a@b.example>", 501, "5.5.4"),
                invalid("MAIL FROM:a@b.example", 501, "5.5.4"),
                invalid("MAIL FROM:<a@b.example", 501, "5.1.7"),
                invalid("MAIL FROM:<a>", 501, "5.1.7"),
                invalid("MAIL FROM:<postmaster>", 501, "5.1.7"),
                invalid("MAIL FROM:<a@>", 501, "5.1.7"),
                invalid("MAIL FROM:<@b.example>", 501, "5.1.7"),
                invalid("MAIL FROM:<a..b@c.example>", 501, "5.1.7"),
                invalid("MAIL FROM:<.a@c.example>", 501, "5.1.7"),
                invalid("MAIL FROM:<a.@c.example>", 501, "5.1.7"),
                invalid("MAIL FROM:<a b@c.example>", 501, "5.1.7"),
                invalid("MAIL FROM:<a@b@c.example>", 501, "5.1.7"),
                invalid("MAIL FROM:<a(comment)@c.example>", 501, "5.1.7"),
                invalid("MAIL FROM:<a@-b.example>", 501, "5.1.7"),
                invalid("MAIL FROM:<a@b-.example>", 501, "5.1.7"),
                invalid("MAIL FROM:<a@b..example>", 501, "5.1.7"),
                invalid("MAIL FROM:<a@b_c.example>", 501, "5.1.7"),
                invalid("MAIL FROM:<a@b.example.>", 501, "5.1.7"),
                invalid("MAIL FROM:<a@[256.0.0.1]>", 501, "5.1.7"),
                invalid("MAIL FROM:<a@[1.2.3]>", 501, "5.1.7"),
                invalid("MAIL FROM:<a@[1.2.3.4.5]>", 501, "5.1.7"),
                invalid("MAIL FROM:<a@[1.2.3.4>", 501, "5.1.7"),
                invalid("MAIL FROM:<a@[IPv6:2001:db8::1::2]>", 501, "5.1.7"),
                invalid("MAIL FROM:<a@[IPv6:1:2:3:4:5:6:7:8:9]>", 501, "5.1.7"),
                invalid("MAIL FROM:<a@[IPv6:1:2:3:4:5:6:7]>", 501, "5.1.7"),
                invalid("MAIL FROM:<a@[IPv6:12345::1]>", 501, "5.1.7"),
                invalid("MAIL FROM:<a@[IPv6:2001:db8:::1]>", 501, "5.1.7"),
                invalid("MAIL FROM:<a@[IPv6:g::1]>", 501, "5.1.7"),
                invalid("MAIL FROM:<a@[192.0.2.1:25]>", 501, "5.1.7"),
                invalid("MAIL FROM:<a@[x-tag:foo]>", 501, "5.1.7"),
                invalid("MAIL FROM:<\"unterminated@b.example>", 501, "5.1.7"),
                invalid("MAIL FROM:<@a.example user@c.example>", 501, "5.1.7"),
                invalid("MAIL FROM:<@a.example,user@c.example>", 501, "5.1.7"),
                invalid("MAIL FROM:<@:user@c.example>", 501, "5.1.7"),
                invalid("MAIL FROM:<@a.example,:user@c.example>", 501, "5.1.7"),
                invalid("MAIL FROM:<a@b.example>SIZE=1", 501, "5.1.7"),
                invalid("MAIL FROM:<<a@b.example>>", 501, "5.1.7"),
                invalid("MAIL FROM:<a@b.example> SIZE=", 501, "5.5.4"),
                invalid("MAIL FROM:<a@b.example> =1", 501, "5.5.4"),
                invalid("MAIL FROM:<a@b.example> -X=1", 501, "5.5.4"),
                invalid("MAIL FROM:<a@b.example> SIZE=1=2", 501, "5.5.4"),
                invalid("MAIL FROM:<a@b.example> SIZE=1 size=2", 501, "5.5.4"),
                invalid("MAIL FROM:<" + "a".repeat(65) + "@b.example>", 501, "5.1.7"),
                invalid("MAIL FROM:<" + "\u00f6".repeat(33) + "@b.example>", 501, "5.1.7"),
                invalid("MAIL FROM:<a@" + domainOfLength(253) + ">", 501, "5.1.7"),
                invalid("MAIL FROM:<a@" + domainOfLength(256) + ">", 501, "5.1.7"),
                invalid("RCPT", 501, "5.5.4"),
                invalid("RCPT TO:", 501, "5.5.4"),
                invalid("RCPT FROM:<c@d.example>", 501, "5.5.4"),
                invalid("RCPT TO:c@d.example", 501, "5.5.4"),
                invalid("RCPT TO:<>", 501, "5.1.3"),
                invalid("RCPT TO:<postmistress>", 501, "5.1.3"),
                invalid("RCPT TO:<@a.example:postmaster>", 501, "5.1.3"),
                invalid("RCPT TO:<c@d..example>", 501, "5.1.3"),
                invalid("RCPT TO:<" + "a".repeat(65) + "@d.example>", 501, "5.1.3"),
                invalid("RCPT TO:<c@" + domainOfLength(253) + ">", 501, "5.1.3"),
                invalid("RCPT TO:<c@d.example> NOTIFY=", 501, "5.5.4"),
                invalid("DATA now", 501, "5.5.4"),
                invalid("RSET all", 501, "5.5.4"),
                invalid("QUIT now", 501, "5.5.4"),
                invalid("STARTTLS now", 501, "5.5.4"),
                invalid("VRFY", 501, "5.5.4"),
                invalid("EXPN", 501, "5.5.4"),
                invalid("AUTH", 501, "5.5.4"),
                invalid("AUTH PLAIN a b", 501, "5.5.4"),
                invalid("AUTH PLAIN  x", 501, "5.5.4"),
                invalid("AUTH PL@IN", 501, "5.5.4"),
                invalid("AUTH " + "A".repeat(21), 501, "5.5.4"),
                invalid("BDAT", 501, "5.5.4"),
                invalid("BDAT x", 501, "5.5.4"),
                invalid("BDAT -1", 501, "5.5.4"),
                invalid("BDAT +1", 501, "5.5.4"),
                invalid("BDAT 1 FIRST", 501, "5.5.4"),
                invalid("BDAT 1 LAST x", 501, "5.5.4"),
                invalid("BDAT 1  LAST", 501, "5.5.4"),
                invalid("BDAT 99999999999999999999", 501, "5.5.4"),
                invalid("NOOP\0", 500, "5.5.2"),
                invalid("MAIL FROM:<a\tb@c.example>", 500, "5.5.2"),
                invalid("EHLO client\r", 500, "5.5.2"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validCommands")
    void parserShouldRecognizeTheCommand(String line, SmtpCommand expected) {
        assertThat(parser.parse(line)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidCommands")
    void parserShouldRejectTheSyntaxWithTheRightReply(String line, int code, String enhancedCode) {
        assertThat(parser.parse(line)).isInstanceOfSatisfying(SmtpCommand.Invalid.class, invalid -> {
            assertThat(invalid.code()).isEqualTo(code);
            assertThat(invalid.enhancedCode()).isEqualTo(enhancedCode);
            assertThat(invalid.text()).isNotBlank();
        });
    }

    @Test
    void mailWithoutAngleBracketsShouldExplainTheSyntax() {
        assertThat(parser.parse("MAIL FROM:a@b.example"))
                .isEqualTo(new SmtpCommand.Invalid(501, "5.5.4", "Syntax: MAIL FROM:<address>"));
    }

    @Test
    void ehloWithoutHostnameShouldExplainTheSyntax() {
        assertThat(parser.parse("EHLO")).isEqualTo(new SmtpCommand.Invalid(501, "5.5.4", "Syntax: EHLO hostname"));
    }

    @Test
    void badAddressesShouldSayWhichSide() {
        assertThat(parser.parse("MAIL FROM:<a..b@c.example>"))
                .isEqualTo(new SmtpCommand.Invalid(501, "5.1.7", "Bad sender address syntax"));
        assertThat(parser.parse("RCPT TO:<a..b@c.example>"))
                .isEqualTo(new SmtpCommand.Invalid(501, "5.1.3", "Bad recipient address syntax"));
    }

    @Test
    void overlongAddressesShouldSayWhichLimit() {
        assertThat(parser.parse("MAIL FROM:<" + "a".repeat(65) + "@b.example>")).isEqualTo(new SmtpCommand.Invalid(
                501, "5.1.7", "Bad sender address syntax: local part longer than 64 octets"));
        assertThat(parser.parse("RCPT TO:<a@" + domainOfLength(256) + ">")).isEqualTo(new SmtpCommand.Invalid(
                501, "5.1.3", "Bad recipient address syntax: domain longer than 255 octets"));
        assertThat(parser.parse("RCPT TO:<a@" + domainOfLength(253) + ">")).isEqualTo(new SmtpCommand.Invalid(
                501, "5.1.3", "Bad recipient address syntax: path longer than 256 octets"));
    }

    @Test
    void theLongestPathShouldBe256OctetsIncludingTheBrackets() {
        String path = "<" + "a".repeat(64) + "@" + domainOfLength(256 - 64 - 3) + ">";
        assertThat(path).hasSize(256);

        assertThat(parser.parse("RCPT TO:" + path)).isInstanceOf(SmtpCommand.Rcpt.class);
        assertThat(parser.parse("RCPT TO:<@x.example:" + path.substring(1))).isInstanceOf(SmtpCommand.Invalid.class);
    }

    @Test
    void duplicateParametersShouldBeNamed() {
        assertThat(parser.parse("MAIL FROM:<a@b.example> SIZE=1 size=2"))
                .isEqualTo(new SmtpCommand.Invalid(501, "5.5.4", "Duplicate parameter SIZE"));
    }

    @Test
    void parametersShouldKeepTheirOrderAndBeImmutable() {
        SmtpCommand command = parser.parse("MAIL FROM:<a@b.example> SMTPUTF8 BODY=8BITMIME SIZE=5 RET=FULL");

        assertThat(command).isInstanceOfSatisfying(SmtpCommand.Mail.class, mail -> {
            assertThat(mail.parameters()).containsKeys("SMTPUTF8", "BODY", "SIZE", "RET");
            assertThat(mail.parameters().keySet()).containsExactly("SMTPUTF8", "BODY", "SIZE", "RET");
            assertThat(mail.parameters().get("SMTPUTF8")).isNull();
            assertThatThrownBy(() -> mail.parameters().put("X", "1")).isInstanceOf(UnsupportedOperationException.class);
        });
    }

    @Test
    void recordsShouldCopyTheParametersTheyAreGiven() {
        Map<String, @Nullable String> parameters = new LinkedHashMap<>();
        parameters.put("SIZE", "1");
        SmtpCommand.Rcpt rcpt = new SmtpCommand.Rcpt("c@d.example", parameters);

        parameters.put("NOTIFY", "NEVER");

        assertThat(rcpt.parameters()).containsOnlyKeys("SIZE");
    }

    @Test
    void theParserShouldNeverThrow() {
        String[] fragments = {"MAIL", "RCPT", " ", "FROM:", "TO:", "<", ">", "@", ".", "\"", "\\", "[", "]", "IPv6:", ":",
            ",", "=", "a", "1", "\u00e9", "\0", "-"};
        java.util.Random random = new java.util.Random(5321);
        for (int n = 0; n < 20_000; n++) {
            StringBuilder line = new StringBuilder();
            int parts = random.nextInt(12);
            for (int k = 0; k < parts; k++) {
                line.append(fragments[random.nextInt(fragments.length)]);
            }
            assertThat(parser.parse(line.toString())).as(line.toString()).isNotNull();
        }
    }

    private static Arguments ok(String line, SmtpCommand expected) {
        return Arguments.of(line, expected);
    }

    private static Arguments invalid(String line, int code, String enhancedCode) {
        return Arguments.of(line, code, enhancedCode);
    }

    private static SmtpCommand.Mail mail(String path, @Nullable String... keysAndValues) {
        return new SmtpCommand.Mail(path, parameters(keysAndValues));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedUtf8")
    void pathsThatAreNotWellFormedUtf8ShouldBeRefusedNotMangled(String name, byte[] line) {
        // RFC 6531 §3.3: a mailbox is UTF-8 (RFC 3629); anything else would be stored with U+FFFD in its place.
        assertThat(parser.parse(line)).as(name).isInstanceOfSatisfying(SmtpCommand.Invalid.class, invalid -> {
            assertThat(invalid.code()).isEqualTo(553);
            assertThat(invalid.enhancedCode()).isEqualTo("5.6.7");
            assertThat(invalid.text()).contains("UTF-8");
        });
    }

    static Stream<Arguments> malformedUtf8() {
        return Stream.of(
                Arguments.of("a lone lead octet", octets("MAIL FROM:<j", 0xC3, "x@b.example> SMTPUTF8")),
                Arguments.of("an overlong slash", octets("MAIL FROM:<", 0xC0, 0xAF, "@b.example> SMTPUTF8")),
                Arguments.of("a surrogate", octets("RCPT TO:<", 0xED, 0xA0, 0x80, "@b.example>")),
                Arguments.of("a truncated sequence at the end", octets("RCPT TO:<a@b.example> X=", 0xE2, 0x82)),
                Arguments.of("an octet never in UTF-8", octets("rcpt to:<b", 0xFF, "@b.example>")),
                Arguments.of("latin-1", octets("MAIL FROM:<jos", 0xE9, "@b.example>")));
    }

    @Test
    void wellFormedUtf8AndOtherCommandsShouldParseFromOctetsAsFromText() {
        assertThat(parser.parse(octets("MAIL FROM:<j", 0xC3, 0xA9, "@b.example> SMTPUTF8")))
                .isEqualTo(mail("j\u00e9@b.example", "SMTPUTF8", null));
        assertThat(parser.parse(octets("EHLO client.example"))).isEqualTo(new SmtpCommand.Ehlo("client.example"));
        // Outside the paths malformed octets are no address: the grammar answers as it does for text.
        assertThat(parser.parse(octets("NOOP ", 0xFF))).isEqualTo(new SmtpCommand.Noop());
    }

    /** Strings as UTF-8 and integers as single octets, in order. */
    private static byte[] octets(Object... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof Integer octet) {
                out.write(octet);
            } else {
                out.writeBytes(part.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }

    private static SmtpCommand.Rcpt rcpt(String path, @Nullable String... keysAndValues) {
        return new SmtpCommand.Rcpt(path, parameters(keysAndValues));
    }

    private static Map<String, @Nullable String> parameters(@Nullable String... keysAndValues) {
        Map<String, @Nullable String> parameters = new LinkedHashMap<>();
        for (int k = 0; k < keysAndValues.length; k += 2) {
            parameters.put(String.valueOf(keysAndValues[k]), keysAndValues[k + 1]);
        }
        return parameters;
    }

    /** A valid domain of exactly {@code length} octets: labels of up to 63 letters. */
    private static String domainOfLength(int length) {
        StringBuilder domain = new StringBuilder();
        while (domain.length() < length) {
            int left = length - domain.length();
            if (domain.length() > 0) {
                domain.append('.');
                left--;
            }
            int label = Math.min(63, left);
            if (left - label == 1) {
                label--; // never leave room for just a dot
            }
            domain.append("d".repeat(Math.max(1, label)));
        }
        return domain.toString();
    }
}
