package dev.hato.managesieve.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ManageSieveParserTest {

    /** A framed line, the octets of its literals, and the command it must read as. */
    record Case(String line, List<String> literals, ManageSieveCommand command) {
        @Override
        public String toString() {
            return line.isEmpty() ? "(an empty line)" : line;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("CAPABILITY", List.of(), new ManageSieveCommand.Capability()),
                new Case("logout", List.of(), new ManageSieveCommand.Logout()),
                new Case("AUTHENTICATE \"PLAIN\"", List.of(), new ManageSieveCommand.Authenticate("PLAIN", null)),
                new Case("AUTHENTICATE PLAIN \"AGEAYg==\"", List.of(),
                        new ManageSieveCommand.Authenticate("PLAIN", "AGEAYg==")),
                new Case("AUTHENTICATE \"PLAIN\" {8+}", List.of("AGEAYg=="),
                        new ManageSieveCommand.Authenticate("PLAIN", "AGEAYg==")),
                new Case("HAVESPACE \"a\" 4294967295", List.of(), new ManageSieveCommand.HaveSpace("a", 4294967295L)),
                new Case("HAVESPACE \"a\" 4294967296", List.of(),
                        new ManageSieveCommand.Invalid("Number larger than 4294967295")),
                new Case("PUTSCRIPT \"a\\\"b\\\\c\" {5}", List.of("keep;"),
                        new ManageSieveCommand.PutScript("a\"b\\c", "keep;")),
                new Case("PUTSCRIPT {1+} {6+}", List.of("名", "keep;\n"),
                        new ManageSieveCommand.PutScript("名", "keep;\n")),
                new Case("SETACTIVE \"\"", List.of(), new ManageSieveCommand.SetActive("")),
                new Case("RENAMESCRIPT \"a\" \"b\"", List.of(), new ManageSieveCommand.RenameScript("a", "b")),
                new Case("NOOP", List.of(), new ManageSieveCommand.Noop(null)),
                new Case("NOOP \"t\"", List.of(), new ManageSieveCommand.Noop("t")),
                new Case("NOOP  \"t\"", List.of(),
                        new ManageSieveCommand.Invalid("Expected a quoted string or a literal")),
                new Case("GETSCRIPT a", List.of(), new ManageSieveCommand.Invalid("Expected a quoted string or a literal")),
                new Case("GETSCRIPT \"a\\n\"", List.of(),
                        new ManageSieveCommand.Invalid("A backslash in a quoted string escapes only \" and \\")),
                new Case("GETSCRIPT \"a\" x", List.of(),
                        new ManageSieveCommand.Invalid("Unexpected characters after the arguments")),
                new Case("DELETESCRIPT", List.of(), new ManageSieveCommand.Invalid("Missing argument")),
                new Case("CHECKSCRIPT \"keep;", List.of(), new ManageSieveCommand.Invalid("Unterminated quoted string")),
                new Case("XYZZY \"a\"", List.of(), new ManageSieveCommand.Unknown()),
                new Case("", List.of(), new ManageSieveCommand.Unknown()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void lineShouldReadAsItsCommand(Case c) {
        List<byte[]> literals = c.literals().stream().map(text -> text.getBytes(StandardCharsets.UTF_8)).toList();

        assertThat(new ManageSieveParser().parse(c.line().getBytes(StandardCharsets.UTF_8), literals))
                .isEqualTo(c.command());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedUtf8")
    void malformedUtf8ShouldRefuseTheCommand(byte[] name) {
        byte[] line = new byte[name.length + 12];
        System.arraycopy("GETSCRIPT \"".getBytes(StandardCharsets.US_ASCII), 0, line, 0, 11);
        System.arraycopy(name, 0, line, 11, name.length);
        line[line.length - 1] = '"';

        assertThat(new ManageSieveParser().parse(line, List.of()))
                .isEqualTo(new ManageSieveCommand.Invalid("A string is not UTF-8 (RFC 5804 §1.2)"));
    }

    static Stream<byte[]> malformedUtf8() {
        return Stream.of(new byte[] {(byte) 0xFF}, new byte[] {(byte) 0xC3}, new byte[] {(byte) 0xED, (byte) 0xA0,
                (byte) 0x80});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("responses")
    void saslResponseShouldBeOneString(String line, String expected) {
        assertThat(new ManageSieveParser().saslResponse(line.getBytes(StandardCharsets.UTF_8), List.of()))
                .isEqualTo(expected);
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> responses() {
        return Stream.of(org.junit.jupiter.params.provider.Arguments.of("\"AGEAYg==\"", "AGEAYg=="),
                org.junit.jupiter.params.provider.Arguments.of("\"*\"", "*"),
                org.junit.jupiter.params.provider.Arguments.of("\"\"", ""),
                org.junit.jupiter.params.provider.Arguments.of("AGEAYg==", null),
                org.junit.jupiter.params.provider.Arguments.of("\"a\" \"b\"", null));
    }
}
