package dev.hato.sieve.grammar;

import dev.hato.message.AsciiCasemap;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads a script into its {@link Script} (RFC 5228 §8), stopping at the first error with its position. Lexing is done
 * on the fly over the text; recursion is bounded by {@link #MAX_NESTING}, so a script of any shape is parsed in time
 * and stack linear in its length. Identifiers (commands, tests, tags) are case-insensitive and kept lower-case;
 * everything else is kept as written.
 *
 * <p>Line ends: RFC 5228 §8.1 asks for CRLF; a bare LF is accepted too (scripts are often written on Unix), and the
 * lines of a multi-line string always end with CRLF in its value.
 */
public final class SieveParser {

    /** Deepest nesting of blocks and of tests in tests, each counted; Pigeonhole's defaults are 32 for both. */
    public static final int MAX_NESTING = 32;

    private static final long MAX_UNSIGNED = -1L;

    private final String text;
    private int pos;
    private int line = 1;
    private int lineStart;
    private int depth;

    private SieveParser(String text) {
        this.text = text;
    }

    /** The script's commands, or where and why it is not Sieve. */
    public static Script parse(String script) throws SyntaxException {
        SieveParser parser = new SieveParser(script);
        List<Command> commands = parser.commands(false);
        return new Script(commands);
    }

    private List<Command> commands(boolean inBlock) throws SyntaxException {
        List<Command> commands = new ArrayList<>();
        while (true) {
            skipSpace();
            if (atEnd()) {
                if (inBlock) {
                    throw error(here(), "the block is not closed with '}'");
                }
                return commands;
            }
            if (peek() == '}') {
                if (inBlock) {
                    return commands;
                }
                throw error(here(), "'}' without a block to close");
            }
            commands.add(command());
        }
    }

    private Command command() throws SyntaxException {
        Position at = here();
        String name = identifier("a command");
        List<Argument> arguments = arguments();
        Tests tests = tests();
        skipSpace();
        if (eat(';')) {
            return new Command(name, arguments, tests.tests, tests.list, null, at);
        }
        if (eat('{')) {
            enter(at);
            List<Command> block = commands(true);
            expect('}');
            depth--;
            return new Command(name, arguments, tests.tests, tests.list, block, at);
        }
        throw error(here(), "expected ';' or '{' after the command '" + name + "'");
    }

    private Test test() throws SyntaxException {
        Position at = here();
        String name = identifier("a test");
        List<Argument> arguments = arguments();
        Tests tests = tests();
        return new Test(name, arguments, tests.tests, tests.list, at);
    }

    private record Tests(List<Test> tests, boolean list) { }

    /** {@code [ test / test-list ]} after the arguments. */
    private Tests tests() throws SyntaxException {
        skipSpace();
        if (atEnd()) {
            return new Tests(List.of(), false);
        }
        Position at = here();
        if (eat('(')) {
            enter(at);
            List<Test> tests = new ArrayList<>();
            do {
                skipSpace();
                tests.add(test());
                skipSpace();
            } while (eat(','));
            expect(')');
            depth--;
            return new Tests(tests, true);
        }
        if (isIdentifierStart(peek()) && !atMultiLine()) {
            enter(at);
            Test test = test();
            depth--;
            return new Tests(List.of(test), false);
        }
        return new Tests(List.of(), false);
    }

    private List<Argument> arguments() throws SyntaxException {
        List<Argument> arguments = new ArrayList<>();
        while (true) {
            skipSpace();
            if (atEnd()) {
                return arguments;
            }
            char c = peek();
            Position at = here();
            if (c == '[') {
                pos++;
                List<String> values = new ArrayList<>();
                do {
                    skipSpace();
                    values.add(string());
                    skipSpace();
                } while (eat(','));
                expect(']');
                arguments.add(new Argument.Strings(values, true, at));
            } else if (c == '"' || atMultiLine()) {
                arguments.add(new Argument.Strings(List.of(string()), false, at));
            } else if (c >= '0' && c <= '9') {
                arguments.add(new Argument.Number(number(), at));
            } else if (c == ':') {
                pos++;
                arguments.add(new Argument.Tag(identifier("a tag name after ':'"), at));
            } else {
                return arguments;
            }
        }
    }

    private String string() throws SyntaxException {
        if (atEnd()) {
            throw error(here(), "expected a string, found the end of the script");
        }
        if (peek() == '"') {
            return quoted();
        }
        if (atMultiLine()) {
            return multiLine();
        }
        throw error(here(), "expected a string");
    }

    /** RFC 5228 §2.4.2: {@code \\} and {@code \"} stand for themselves; any other backslash is dropped. */
    private String quoted() throws SyntaxException {
        Position start = here();
        pos++;
        StringBuilder value = new StringBuilder();
        while (!atEnd()) {
            char c = advance();
            if (c == '"') {
                return value.toString();
            }
            if (c == '\\') {
                if (atEnd()) {
                    break;
                }
                c = advance();
            }
            value.append(c);
        }
        throw error(start, "the string is not closed with '\"'");
    }

    /**
     * RFC 5228 §2.4.2 and §8.1: {@code text:}, blanks, a comment or the line end, then lines up to one holding only
     * "."; a line that starts with ".." loses its first dot; every line of the value ends with CRLF.
     */
    private String multiLine() throws SyntaxException {
        Position start = here();
        pos += "text:".length();
        while (!atEnd() && (peek() == ' ' || peek() == '\t')) {
            pos++;
        }
        if (!atEnd() && peek() == '#') {
            restOfLine();
        } else if (!lineEnd()) {
            throw error(here(), "'text:' must be followed by the end of the line or a '#' comment");
        }
        StringBuilder value = new StringBuilder();
        while (!atEnd()) {
            String content = restOfLine();
            if (content == null) {
                break;
            }
            if (content.equals(".")) {
                return value.toString();
            }
            value.append(content.startsWith("..") ? content.substring(1) : content).append("\r\n");
        }
        throw error(start, "the multi-line string does not end with a line holding only '.'");
    }

    /** The rest of the current line without its line end, consumed with it; null when the text ends without one. */
    private @Nullable String restOfLine() {
        int from = pos;
        while (!atEnd()) {
            char c = peek();
            if (c == '\n' || (c == '\r' && pos + 1 < text.length() && text.charAt(pos + 1) == '\n')) {
                String content = text.substring(from, pos);
                lineEnd();
                return content;
            }
            pos++;
        }
        return null;
    }

    /** Consumes CRLF or LF; false (nothing consumed) when neither is next. */
    private boolean lineEnd() {
        if (text.startsWith("\r\n", pos)) {
            pos += 2;
        } else if (!atEnd() && peek() == '\n') {
            pos++;
        } else {
            return false;
        }
        line++;
        lineStart = pos;
        return true;
    }

    /** RFC 5228 §8.1 {@code number = 1*DIGIT [ QUANTIFIER ]}, unsigned 64 bits; an overflow is an error. */
    private long number() throws SyntaxException {
        Position at = here();
        int from = pos;
        while (!atEnd() && peek() >= '0' && peek() <= '9') {
            pos++;
        }
        long value;
        try {
            value = Long.parseUnsignedLong(text, from, pos, 10);
        } catch (NumberFormatException tooLong) {
            throw error(at, "the number is larger than " + Long.toUnsignedString(MAX_UNSIGNED));
        }
        if (!atEnd()) {
            int shift = switch (peek()) {
                case 'K', 'k' -> 10;
                case 'M', 'm' -> 20;
                case 'G', 'g' -> 30;
                default -> 0;
            };
            if (shift > 0) {
                pos++;
                if (Long.compareUnsigned(value, MAX_UNSIGNED >>> shift) > 0) {
                    throw error(at, "the number is larger than " + Long.toUnsignedString(MAX_UNSIGNED));
                }
                value <<= shift;
            }
        }
        if (!atEnd() && isIdentifierPart(peek())) {
            throw error(here(), "a number ends with a digit or K, M, G, not '" + peek() + "'");
        }
        return value;
    }

    /** RFC 5228 §8.1 {@code identifier = (ALPHA / "_") *(ALPHA / DIGIT / "_")}, lower-cased. */
    private String identifier(String what) throws SyntaxException {
        if (atEnd() || !isIdentifierStart(peek())) {
            throw error(here(), atEnd() ? "expected " + what + ", found the end of the script"
                    : "expected " + what + ", found '" + printable(peek()) + "'");
        }
        int from = pos;
        while (!atEnd() && isIdentifierPart(peek())) {
            pos++;
        }
        return AsciiCasemap.lower(text.subSequence(from, pos));
    }

    /** White space and comments (RFC 5228 §8.1 {@code white-space}). */
    private void skipSpace() throws SyntaxException {
        while (!atEnd()) {
            char c = peek();
            if (c == ' ' || c == '\t') {
                pos++;
            } else if (c == '\r' || c == '\n') {
                if (!lineEnd()) {
                    throw error(here(), "a carriage return must be followed by a line feed");
                }
            } else if (c == '#') {
                if (restOfLine() == null) {
                    pos = text.length();
                }
            } else if (text.startsWith("/*", pos)) {
                Position start = here();
                pos += 2;
                while (!text.startsWith("*/", pos)) {
                    if (atEnd()) {
                        throw error(start, "the comment is not closed with '*/'");
                    }
                    if (!lineEnd()) {
                        pos++;
                    }
                }
                pos += 2;
            } else {
                return;
            }
        }
    }

    private boolean atMultiLine() {
        return text.regionMatches(true, pos, "text:", 0, "text:".length());
    }

    private void enter(Position at) throws SyntaxException {
        if (++depth > MAX_NESTING) {
            throw error(at, "blocks and tests are nested more than " + MAX_NESTING + " deep");
        }
    }

    private void expect(char c) throws SyntaxException {
        skipSpace();
        if (!eat(c)) {
            throw error(here(), atEnd() ? "expected '" + c + "', found the end of the script"
                    : "expected '" + c + "', found '" + printable(peek()) + "'");
        }
    }

    private boolean eat(char c) {
        if (!atEnd() && peek() == c) {
            pos++;
            return true;
        }
        return false;
    }

    /** The next character, counting lines. */
    private char advance() {
        char c = text.charAt(pos++);
        if (c == '\n') {
            line++;
            lineStart = pos;
        }
        return c;
    }

    private char peek() {
        return text.charAt(pos);
    }

    private boolean atEnd() {
        return pos >= text.length();
    }

    private Position here() {
        return new Position(line, pos - lineStart + 1);
    }

    private static boolean isIdentifierStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean isIdentifierPart(char c) {
        return isIdentifierStart(c) || (c >= '0' && c <= '9');
    }

    private static String printable(char c) {
        return c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }

    private static SyntaxException error(Position at, String reason) {
        return new SyntaxException(at, reason);
    }
}
