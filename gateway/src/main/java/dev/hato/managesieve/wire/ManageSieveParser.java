package dev.hato.managesieve.wire;

import dev.hato.protocol.Ascii;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads one framed ManageSieve line into a {@link ManageSieveCommand} (RFC 5804 §4). The framer has cut the line and
 * handed out the octets of its literals, which arrive here in order; each {@code {n+}} or {@code {n}} left in the line
 * claims the next one. Strings are UTF-8 (RFC 5804 §1.2), strictly: a malformed one refuses the command rather than
 * turning into U+FFFD in a script. Command names are case-insensitive (ASCII); arguments are separated by one SP.
 * Stateless: one instance serves a connection.
 */
public final class ManageSieveParser {

    /** RFC 5804 §4: number is a 32-bit unsigned number. */
    private static final long MAX_NUMBER = 0xFFFF_FFFFL;

    /** {@code line}, its literals' octets in order, as a command; never throws for bad input. */
    public ManageSieveCommand parse(byte[] line, List<byte[]> literals) {
        Cursor cursor = new Cursor(line, literals);
        String name = Ascii.upperCase(cursor.atom());
        try {
            ManageSieveCommand command = switch (name) {
                case "AUTHENTICATE" -> authenticate(cursor);
                case "STARTTLS" -> new ManageSieveCommand.StartTls();
                case "LOGOUT" -> new ManageSieveCommand.Logout();
                case "CAPABILITY" -> new ManageSieveCommand.Capability();
                case "LISTSCRIPTS" -> new ManageSieveCommand.ListScripts();
                case "UNAUTHENTICATE" -> new ManageSieveCommand.Unauthenticate();
                case "HAVESPACE" -> new ManageSieveCommand.HaveSpace(cursor.spaceString(), cursor.spaceNumber());
                case "PUTSCRIPT" -> new ManageSieveCommand.PutScript(cursor.spaceString(), cursor.spaceString());
                case "SETACTIVE" -> new ManageSieveCommand.SetActive(cursor.spaceString());
                case "GETSCRIPT" -> new ManageSieveCommand.GetScript(cursor.spaceString());
                case "DELETESCRIPT" -> new ManageSieveCommand.DeleteScript(cursor.spaceString());
                case "RENAMESCRIPT" -> new ManageSieveCommand.RenameScript(cursor.spaceString(),
                        cursor.spaceString());
                case "CHECKSCRIPT" -> new ManageSieveCommand.CheckScript(cursor.spaceString());
                case "NOOP" -> new ManageSieveCommand.Noop(cursor.atEnd() ? null : cursor.spaceString());
                default -> null;
            };
            if (command == null) {
                return new ManageSieveCommand.Unknown();
            }
            cursor.end();
            return command;
        } catch (SyntaxError e) {
            return new ManageSieveCommand.Invalid(e.getMessage());
        }
    }

    /**
     * A client's response during AUTHENTICATE (RFC 5804 §2.1): one string holding base64, or {@code "*"} to cancel.
     * Null when the line is not exactly one string.
     */
    public @Nullable String saslResponse(byte[] line, List<byte[]> literals) {
        Cursor cursor = new Cursor(line, literals);
        try {
            String response = cursor.string();
            cursor.end();
            return response;
        } catch (SyntaxError e) {
            return null;
        }
    }

    /** RFC 5804 §4: "AUTHENTICATE" SP auth-type [SP string]; auth-type is a string, an atom is forgiven. */
    private static ManageSieveCommand authenticate(Cursor cursor) {
        cursor.space();
        String mechanism = cursor.peek() == '"' || cursor.peek() == '{' ? cursor.string() : cursor.atom();
        if (mechanism.isEmpty()) {
            throw new SyntaxError("AUTHENTICATE needs a mechanism name");
        }
        return new ManageSieveCommand.Authenticate(mechanism, cursor.atEnd() ? null : cursor.spaceString());
    }

    /** A position in one line and the index of the next literal. */
    private static final class Cursor {
        private final byte[] line;
        private final List<byte[]> literals;
        private int at;
        private int literal;

        Cursor(byte[] line, List<byte[]> literals) {
            this.line = line;
            this.literals = literals;
        }

        int peek() {
            return at < line.length ? line[at] : -1;
        }

        boolean atEnd() {
            return at == line.length;
        }

        /** Letters, digits and "-" up to a space or the end: a command or mechanism name. */
        String atom() {
            int start = at;
            while (at < line.length && isAtomChar(line[at])) {
                at++;
            }
            return new String(line, start, at - start, StandardCharsets.US_ASCII);
        }

        void space() {
            if (peek() != ' ') {
                throw new SyntaxError(atEnd() ? "Missing argument" : "Expected one space between arguments");
            }
            at++;
        }

        String spaceString() {
            space();
            return string();
        }

        long spaceNumber() {
            space();
            int start = at;
            long value = 0;
            while (at < line.length && line[at] >= '0' && line[at] <= '9') {
                value = value * 10 + (line[at++] - '0');
                if (value > MAX_NUMBER) {
                    throw new SyntaxError("Number larger than 4294967295");
                }
            }
            if (at == start) {
                throw new SyntaxError("Expected a number");
            }
            return value;
        }

        void end() {
            if (!atEnd()) {
                throw new SyntaxError("Unexpected characters after the arguments");
            }
        }

        /** RFC 5804 §4: string = quoted / literal-c2s (and {n}, which clients send without waiting too). */
        String string() {
            int next = peek();
            if (next == '"') {
                return quoted();
            }
            if (next == '{') {
                return literal();
            }
            throw new SyntaxError(atEnd() ? "Missing argument" : "Expected a quoted string or a literal");
        }

        /** DQUOTE *QUOTED-CHAR DQUOTE; QUOTED-CHAR = SAFE-UTF8-CHAR / "\" QUOTED-SPECIALS. */
        private String quoted() {
            at++;
            byte[] text = new byte[line.length - at];
            int length = 0;
            while (at < line.length) {
                byte b = line[at++];
                if (b == '"') {
                    return utf8(text, length);
                }
                if (b == '\\') {
                    if (at == line.length || line[at] != '"' && line[at] != '\\') {
                        throw new SyntaxError("A backslash in a quoted string escapes only \" and \\");
                    }
                    b = line[at++];
                } else if (b == 0) {
                    throw new SyntaxError("NUL in a quoted string");
                }
                text[length++] = b;
            }
            throw new SyntaxError("Unterminated quoted string");
        }

        /** "{" number ["+"] "}" as the framer checked it; the octets are the next literal handed out. */
        private String literal() {
            int close = at;
            while (close < line.length && line[close] != '}') {
                close++;
            }
            if (close == line.length || literal >= literals.size()) {
                throw new SyntaxError("Malformed literal");
            }
            at = close + 1;
            byte[] content = literals.get(literal++);
            return utf8(content, content.length);
        }

        private static String utf8(byte[] bytes, int length) {
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes, 0, length)).toString();
            } catch (CharacterCodingException e) {
                throw new SyntaxError("A string is not UTF-8 (RFC 5804 §1.2)");
            }
        }

        private static boolean isAtomChar(byte b) {
            return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '_';
        }
    }

    /** A command's arguments do not parse; the message goes into the NO response. */
    private static final class SyntaxError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SyntaxError(String message) {
            super(message, null, false, false);
        }
    }
}
