package dev.hato.provisioning;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 CSV, read and written. Reading is a push parser over characters: a field is quoted or not, a quoted
 * field may hold commas, doubled quotes and line breaks; records end at CRLF, LF or a lone CR. A leading UTF-8 BOM
 * is skipped and wholly empty lines are ignored (RFC 4180 does not allow them, spreadsheets write them at the end).
 * A record that breaks the grammar becomes a problem on the line it starts on, and reading goes on at the next
 * line, so that one pass reports every bad record.
 */
public final class Csv {

    /** One record and the line (1-based) of the file it starts on. */
    public record Record(int line, List<String> fields) { }

    public record Parsed(List<Record> records, List<ImportProblem> problems) { }

    private Csv() { }

    public static Parsed read(Reader in) throws IOException {
        Parser parser = new Parser();
        char[] buffer = new char[8192];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            for (int i = 0; i < n; i++) {
                parser.accept(buffer[i]);
            }
        }
        parser.end();
        return new Parsed(List.copyOf(parser.records), List.copyOf(parser.problems));
    }

    static Parsed read(String text) {
        try {
            return read(new java.io.StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One record with CRLF, each field quoted only when it has to be (comma, quote, CR or LF in it). */
    static void write(Appendable out, List<String> fields) throws IOException {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(quoted(fields.get(i)));
        }
        out.append("\r\n");
    }

    static String quoted(String field) {
        boolean needs = false;
        for (int i = 0; i < field.length() && !needs; i++) {
            char c = field.charAt(i);
            needs = c == ',' || c == '"' || c == '\r' || c == '\n';
        }
        // RFC 4180 §2.7: a quote inside a quoted field is escaped by another quote.
        return needs ? '"' + field.replace("\"", "\"\"") + '"' : field;
    }

    private enum State { FIELD_START, UNQUOTED, QUOTED, QUOTE_IN_QUOTED, SKIP_LINE }

    /** The state of one read; fed one character at a time. */
    private static final class Parser {
        final List<Record> records = new ArrayList<>();
        final List<ImportProblem> problems = new ArrayList<>();
        private final List<String> fields = new ArrayList<>();
        private final StringBuilder field = new StringBuilder();
        private State state = State.FIELD_START;
        private int line = 1;
        private int recordLine = 1;
        private boolean recordEmpty = true;
        private boolean first = true;
        private boolean afterCr;

        void accept(char c) {
            if (first) {
                first = false;
                if (c == '\uFEFF') {
                    return;
                }
            }
            if (afterCr) {
                afterCr = false;
                if (c == '\n') {
                    if (state == State.QUOTED) {
                        field.append('\n'); // CRLF inside a quoted field is kept as it was written
                    }
                    return; // the CR already ended the line
                }
            }
            if (c == '\r' || c == '\n') {
                afterCr = c == '\r';
                lineBreak(c);
                line++;
                return;
            }
            switch (state) {
                case FIELD_START -> {
                    recordEmpty = false;
                    if (c == '"') {
                        state = State.QUOTED;
                    } else if (c == ',') {
                        endField();
                    } else {
                        field.append(c);
                        state = State.UNQUOTED;
                    }
                }
                case UNQUOTED -> {
                    if (c == ',') {
                        endField();
                        state = State.FIELD_START;
                    } else if (c == '"') {
                        fail("a quote inside an unquoted field: quote the whole field and double the quote (\"\")");
                    } else {
                        field.append(c);
                    }
                }
                case QUOTED -> {
                    if (c == '"') {
                        state = State.QUOTE_IN_QUOTED;
                    } else {
                        field.append(c);
                    }
                }
                case QUOTE_IN_QUOTED -> {
                    if (c == '"') {
                        field.append('"');
                        state = State.QUOTED;
                    } else if (c == ',') {
                        endField();
                        state = State.FIELD_START;
                    } else {
                        fail("text after the closing quote of a field");
                    }
                }
                case SKIP_LINE -> { }
            }
        }

        private void lineBreak(char c) {
            switch (state) {
                case QUOTED -> field.append(c);
                case SKIP_LINE -> reset(line + 1);
                default -> {
                    if (!recordEmpty) {
                        endField();
                        records.add(new Record(recordLine, List.copyOf(fields)));
                    }
                    reset(line + 1);
                }
            }
        }

        void end() {
            switch (state) {
                case QUOTED -> problems.add(new ImportProblem(recordLine,
                        "a quoted field is not closed before the end of the file"));
                case SKIP_LINE -> { }
                default -> {
                    if (!recordEmpty) {
                        endField();
                        records.add(new Record(recordLine, List.copyOf(fields)));
                    }
                }
            }
        }

        private void endField() {
            fields.add(field.toString());
            field.setLength(0);
        }

        private void fail(String message) {
            problems.add(new ImportProblem(recordLine, message));
            state = State.SKIP_LINE;
        }

        private void reset(int nextLine) {
            fields.clear();
            field.setLength(0);
            state = State.FIELD_START;
            recordEmpty = true;
            recordLine = nextLine;
        }
    }
}
