package dev.hato.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** RFC 4180 reading and writing, table-driven; every input is also read one character per read call. */
class CsvTest {

    private static Csv.Record record(int line, String... fields) {
        return new Csv.Record(line, List.of(fields));
    }

    private static ImportProblem problem(int line, String message) {
        return new ImportProblem(line, message);
    }

    static Stream<Arguments> wellFormed() {
        return Stream.of(
                Arguments.of("LF line ends", "a,b,c\n1,2,3\n", List.of(record(1, "a", "b", "c"), record(2, "1", "2", "3"))),
                Arguments.of("CRLF line ends", "a,b\r\n1,2\r\n", List.of(record(1, "a", "b"), record(2, "1", "2"))),
                Arguments.of("no line end after the last record", "a,b\n1,2", List.of(record(1, "a", "b"), record(2, "1", "2"))),
                Arguments.of("a lone CR ends a line", "a\rb\r", List.of(record(1, "a"), record(2, "b"))),
                Arguments.of("a quoted comma", "\"Doe, Jane\",x\n", List.of(record(1, "Doe, Jane", "x"))),
                Arguments.of("doubled quotes", "\"say \"\"hi\"\"\",x\n", List.of(record(1, "say \"hi\"", "x"))),
                Arguments.of("only a doubled quote", "\"\"\"\"\n", List.of(record(1, "\""))),
                Arguments.of("an LF inside quotes", "\"line1\nline2\",x\nnext,y\n",
                        List.of(record(1, "line1\nline2", "x"), record(3, "next", "y"))),
                Arguments.of("a CRLF inside quotes", "\"a\r\nb\",c\r\nd,e\r\n",
                        List.of(record(1, "a\r\nb", "c"), record(3, "d", "e"))),
                Arguments.of("a BOM before the header", "\uFEFFaddress,x\n", List.of(record(1, "address", "x"))),
                Arguments.of("a BOM is only skipped at the start", "a,\uFEFFb\n", List.of(record(1, "a", "\uFEFFb"))),
                Arguments.of("Japanese text, quoted and not", "山田 太郎,\"鈴木, 一郎\"\n",
                        List.of(record(1, "山田 太郎", "鈴木, 一郎"))),
                Arguments.of("empty fields", ",,\n", List.of(record(1, "", "", ""))),
                Arguments.of("a quoted empty field", "\"\",x\n", List.of(record(1, "", "x"))),
                Arguments.of("spaces belong to the field", " a , b \n", List.of(record(1, " a ", " b "))),
                Arguments.of("empty lines are skipped but counted", "a\n\n\r\nb\n", List.of(record(1, "a"), record(4, "b"))),
                Arguments.of("nothing at all", "", List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wellFormed")
    void wellFormedInputShouldGiveItsRecordsWithTheirLines(String name, String input, List<Csv.Record> expected)
            throws IOException {
        assertThat(Csv.read(input)).isEqualTo(new Csv.Parsed(expected, List.of()));
        assertThat(Csv.read(new OneCharAtATime(input))).isEqualTo(new Csv.Parsed(expected, List.of()));
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("a quote inside an unquoted field", "h\nab\"c,d\nok,1\n",
                        List.of(record(1, "h"), record(3, "ok", "1")),
                        List.of(problem(2, "a quote inside an unquoted field: quote the whole field and double the "
                                + "quote (\"\")"))),
                Arguments.of("text after a closing quote", "\"ab\"c,d\nok\n", List.of(record(2, "ok")),
                        List.of(problem(1, "text after the closing quote of a field"))),
                Arguments.of("a quote never closed", "a,b\n\"open,x\nmore\n", List.of(record(1, "a", "b")),
                        List.of(problem(2, "a quoted field is not closed before the end of the file"))),
                Arguments.of("every bad line is reported", "x\"\r\ny\"\r\nz\r\n", List.of(record(3, "z")),
                        List.of(problem(1, "a quote inside an unquoted field: quote the whole field and double the "
                                        + "quote (\"\")"),
                                problem(2, "a quote inside an unquoted field: quote the whole field and double the "
                                        + "quote (\"\")"))),
                Arguments.of("a bad record after a multi-line one has its own line", "\"a\nb\",c\nd\"\n",
                        List.of(record(1, "a\nb", "c")),
                        List.of(problem(3, "a quote inside an unquoted field: quote the whole field and double the "
                                + "quote (\"\")"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedRecordsShouldBecomeProblemsOnTheLineTheyStartOn(String name, String input,
                                                                  List<Csv.Record> records,
                                                                  List<ImportProblem> problems) throws IOException {
        assertThat(Csv.read(input)).isEqualTo(new Csv.Parsed(records, problems));
        assertThat(Csv.read(new OneCharAtATime(input))).isEqualTo(new Csv.Parsed(records, problems));
    }

    static Stream<Arguments> quoting() {
        return Stream.of(
                Arguments.of("plain", "plain"),
                Arguments.of("", ""),
                Arguments.of("a,b", "\"a,b\""),
                Arguments.of("say \"hi\"", "\"say \"\"hi\"\"\""),
                Arguments.of("two\nlines", "\"two\nlines\""),
                Arguments.of("cr\r", "\"cr\r\""),
                Arguments.of("山田 太郎", "山田 太郎"),
                Arguments.of(" spaced ", " spaced "));
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("quoting")
    void aFieldShouldBeQuotedOnlyWhenItMustBe(String field, String written) {
        assertThat(Csv.quoted(field)).isEqualTo(written);
    }

    @Test
    void whatIsWrittenShouldReadBackTheSame() throws IOException {
        List<List<String>> rows = List.of(
                List.of("address", "display_name", "auth_id", "password"),
                List.of("ann@example.test", "Doe, \"Ann\"", "", "p,a\"ss\r\nword"),
                List.of("taro@example.test", "山田 太郎", "taro-x7q2", "external"),
                List.of("", "", "", ""));
        StringBuilder out = new StringBuilder();
        for (List<String> row : rows) {
            Csv.write(out, row);
        }

        Csv.Parsed parsed = Csv.read(out.toString());

        assertThat(parsed.problems()).isEmpty();
        assertThat(parsed.records()).extracting(Csv.Record::fields).isEqualTo(rows);
        assertThat(parsed.records()).extracting(Csv.Record::line).containsExactly(1, 2, 4, 5);
        assertThat(out.toString()).endsWith("\r\n").contains("\"Doe, \"\"Ann\"\"\"");
    }

    /** A reader that hands out one character per call, as a slow stream might. */
    private static final class OneCharAtATime extends Reader {
        private final StringReader in;

        OneCharAtATime(String text) {
            this.in = new StringReader(text);
        }

        @Override
        public int read(char[] buffer, int offset, int length) throws IOException {
            return length == 0 ? 0 : in.read(buffer, offset, 1);
        }

        @Override
        public void close() {
            in.close();
        }
    }
}
