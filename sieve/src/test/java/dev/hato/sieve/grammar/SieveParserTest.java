package dev.hato.sieve.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SieveParserTest {

    /** The tree as a line: commands and tests with their arguments, blocks in braces. */
    private static String render(Script script) {
        return script.commands().stream().map(SieveParserTest::render).collect(Collectors.joining(" "));
    }

    private static String render(Command command) {
        StringBuilder out = new StringBuilder(command.name());
        command.arguments().forEach(a -> out.append(' ').append(render(a)));
        out.append(renderTests(command.tests(), command.testList()));
        if (command.block() == null) {
            return out.append(';').toString();
        }
        out.append(" {");
        command.block().forEach(c -> out.append(' ').append(render(c)));
        return out.append(" }").toString();
    }

    private static String renderTests(List<dev.hato.sieve.grammar.Test> tests, boolean list) {
        if (tests.isEmpty()) {
            return "";
        }
        String inner = tests.stream().map(SieveParserTest::render).collect(Collectors.joining(", "));
        return list ? " (" + inner + ")" : " " + inner;
    }

    private static String render(dev.hato.sieve.grammar.Test test) {
        StringBuilder out = new StringBuilder(test.name());
        test.arguments().forEach(a -> out.append(' ').append(render(a)));
        return out.append(renderTests(test.tests(), test.testList())).toString();
    }

    private static String render(Argument argument) {
        if (argument instanceof Argument.Tag tag) {
            return ":" + tag.name();
        }
        if (argument instanceof Argument.Number number) {
            return Long.toUnsignedString(number.value());
        }
        Argument.Strings strings = (Argument.Strings) argument;
        String values = strings.values().stream().map(v -> "'" + v.replace("\r\n", "|") + "'")
                .collect(Collectors.joining(","));
        return strings.bracketed() ? "[" + values + "]" : values;
    }

    private static String parsed(String script) throws SyntaxException {
        return render(SieveParser.parse(script));
    }

    @Test
    void aScriptOfTheRfcShouldParseIntoItsCommandsTestsAndArguments() throws SyntaxException {
        String script = """
                require ["fileinto", "reject"];
                # RFC 5228 §9 style
                if header :contains "from" "coyote" {
                    discard;
                } elsif header :contains ["subject"] ["$$$"] {
                    discard;
                } elsif anyof (not address :all :contains ["To", "Cc"] "me@example.com",
                               size :over 1M) {
                    fileinto "spam";
                } else {
                    keep;
                }
                """;
        assertThat(parsed(script)).isEqualTo("require ['fileinto','reject'];"
                + " if header :contains 'from' 'coyote' { discard; }"
                + " elsif header :contains ['subject'] ['$$$'] { discard; }"
                + " elsif anyof (not address :all :contains ['To','Cc'] 'me@example.com', size :over 1048576)"
                + " { fileinto 'spam'; }"
                + " else { keep; }");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        // identifiers and tags are case-insensitive; strings are not
        "IF TRUE { KEEP; }|if true { keep; }",
        "fileinto :COPY \"Inbox.A\";|fileinto :copy 'Inbox.A';",
        // numbers and quantifiers, either case
        "if size :over 5k { stop; }|if size :over 5120 { stop; }",
        "if size :under 2G { stop; }|if size :under 2147483648 { stop; }",
        "if size :over 18446744073709551615 { stop; }|if size :over 18446744073709551615 { stop; }",
        "if size :over 17179869183G { stop; }|if size :over 18446744072635809792 { stop; }",
        // escapes: \\ and \" kept, any other backslash dropped (RFC 5228 §2.4.2)
        "fileinto \"a\\\\b\\\"c\\d\";|fileinto 'a\\b\"cd';",
        // comments of both kinds, anywhere white space goes
        "/* a\\n comment */ keep /* x */ ; # end|keep;",
        "keep;#|keep;",
        // an empty script, a command without arguments, an empty block
        "|",
        "stop;|stop;",
        "if false {}|if false { }",
    })
    void scriptsShouldParseAsTheGrammarSays(String script, String expected) throws SyntaxException {
        String rendered = parsed(script == null ? "" : script.replace("\\n", "\n"));
        assertThat(rendered).isEqualTo(expected == null ? "" : expected);
    }

    @Test
    void multiLineStringsShouldEndWithDotAndLoseOnlyTheDotOfDoubledDots() throws SyntaxException {
        assertThat(parsed("reject text:  # why\r\nline one\r\n.one dot\r\n..two dots\r\n\r\n.\r\n;"))
                .isEqualTo("reject 'line one|.one dot|.two dots||';");
        assertThat(parsed("reject TEXT:\nunix\n.\n;")).isEqualTo("reject 'unix|';");
        assertThat(parsed("reject text:\n.\n;")).isEqualTo("reject '';");
    }

    @Test
    void aQuotedStringShouldSpanLinesAndKeepTheirEnds() throws SyntaxException {
        assertThat(parsed("reject \"a\r\nb\";")).isEqualTo("reject 'a|b';");
    }

    @Test
    void testsShouldNestAndListsHoldOneOrMoreTests() throws SyntaxException {
        assertThat(parsed("if not not exists \"x\" { keep; }")).isEqualTo("if not not exists 'x' { keep; }");
        assertThat(parsed("if allof(true) { keep; }")).isEqualTo("if allof (true) { keep; }");
        assertThat(parsed("if anyof(allof(true,false),exists[\"a\",\"b\"]){keep;}"))
                .isEqualTo("if anyof (allof (true, false), exists ['a','b']) { keep; }");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "keep|1|5|expected ';' or '{' after the command 'keep'",
        "keep;\\n}|2|1|'}' without a block to close",
        "if true { keep;|1|16|the block is not closed with '}'",
        "fileinto \"abc;|1|10|the string is not closed",
        "/* never closed|1|1|the comment is not closed",
        "if size :over 18446744073709551616 { stop; }|1|15|the number is larger than 18446744073709551615",
        "if size :over 16777216T { stop; }|1|23|a number ends with a digit or K, M, G",
        "if size :over 17179869184G { stop; }|1|15|the number is larger than",
        "reject text: x\\n.\\n;|1|14|'text:' must be followed by the end of the line",
        "reject text:\\nno end\\n;|1|8|does not end with a line holding only '.'",
        "if anyof() { keep; }|1|10|expected a test, found ')'",
        "fileinto [];|1|11|expected a string",
        "fileinto [\"a\" \"b\"];|1|15|expected ']', found '\"'",
        "1 keep;|1|1|expected a command, found '1'",
        "keep: ;|1|6|expected a tag name after ':'",
        "if : { }|1|5|expected a tag name after ':'",
        "keep;\\r x|1|6|a carriage return must be followed by a line feed",
    })
    void badScriptsShouldBeRefusedWithWhereAndWhy(String script, int line, int column, String reason) {
        assertThatThrownBy(() -> SieveParser.parse(script.replace("\\n", "\n").replace("\\r", "\r")))
                .isInstanceOfSatisfying(SyntaxException.class, e -> {
                    assertThat(e.at()).isEqualTo(new Position(line, column));
                    assertThat(e.getMessage()).contains(reason);
                });
    }

    @Test
    void nestingShouldBeBoundedSoThatNoScriptExhaustsTheStack() throws SyntaxException {
        String ok = "if true {".repeat(SieveParser.MAX_NESTING) + "}".repeat(SieveParser.MAX_NESTING);
        assertThat(parsed(ok)).startsWith("if true { if true {");
        String deep = "if true {".repeat(SieveParser.MAX_NESTING + 1) + "}".repeat(SieveParser.MAX_NESTING + 1);
        assertThatThrownBy(() -> SieveParser.parse(deep)).hasMessageContaining("nested more than 32 deep");
        String nots = "if " + "not ".repeat(100_000) + "true { keep; }";
        assertThatThrownBy(() -> SieveParser.parse(nots)).hasMessageContaining("nested more than 32 deep");
        String lists = "if " + "allof(".repeat(100_000) + "true" + ")".repeat(100_000) + " { keep; }";
        assertThatThrownBy(() -> SieveParser.parse(lists)).hasMessageContaining("nested more than 32 deep");
    }

    @Test
    void everyPrefixOfAScriptShouldParseOrFailWithAnErrorNeverAnotherException() {
        String script = "require [\"fileinto\"];\r\nif header :matches \"subject\" \"*x?\" /* c */ {\r\n"
                + "  fileinto text:\r\nInbox\r\n..dots\r\n.\r\n;\r\n} elsif size :over 10K { stop; } # end\r\n";
        for (int end = 0; end <= script.length(); end++) {
            String prefix = script.substring(0, end);
            try {
                SieveParser.parse(prefix);
            } catch (SyntaxException expected) {
                assertThat(expected.at().line()).isPositive();
            }
        }
    }
}
