package dev.hato.pop3.command;

import dev.hato.protocol.Ascii;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * Turns one complete POP3 command line (without its line ending) into one {@link Pop3Command}. Stateless and
 * thread-safe; whether a command is allowed in the current state is the session's business.
 *
 * <p>RFC 1939 §3: a keyword of three or four characters, case-insensitive, then arguments separated by single
 * spaces, each at most 40 characters. Two arguments escape that 40-character limit: the PASS argument is the rest of
 * the line (RFC 1939 §7: passwords may contain spaces), and the USER name and the AUTH arguments are bounded only by
 * the line limit, because RFC 2449 §4 raises the command length to 255 octets for servers that offer CAPA, and user
 * names that are mail addresses (or AUTH PLAIN initial responses) routinely exceed 40 characters. Trailing spaces
 * are ignored except after PASS.
 */
public final class Pop3CommandParser {

    // RFC 1939 §3
    private static final int MAX_ARGUMENT = 40;

    /**
     * Parses one command line as received. A line that is not well-formed UTF-8 is a syntax error: RFC 6856 §2.2 has
     * the server reject user names and passwords that fail the UTF-8 syntax of RFC 3629 (decoding them leniently would
     * hand U+FFFD to the login instead), and every other command is ASCII. Never throws for any input.
     */
    public Pop3Command parse(byte[] line) {
        try {
            return parse(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(line)).toString());
        } catch (CharacterCodingException malformed) {
            return new Pop3Command.Invalid("Syntax error: not valid UTF-8");
        }
    }

    /** Parses one command line. Never throws for any input. */
    public Pop3Command parse(String line) {
        int space = line.indexOf(' ');
        // ASCII-only case folding: "ſtat".toUpperCase() would be "STAT".
        String keyword = Ascii.upperCase(space < 0 ? line : line.substring(0, space));
        if (keyword.equals("PASS")) {
            // RFC 1939 §7: PASS string; the argument is everything after the single space.
            return space < 0 ? new Pop3Command.Invalid("Syntax: PASS password") : new Pop3Command.Pass(line.substring(space + 1));
        }
        if (hasControlCharacter(line)) {
            return new Pop3Command.Invalid("Syntax error: control characters not allowed");
        }
        if (keyword.length() < 3 || keyword.length() > 4 || !letters(keyword)) {
            return new Pop3Command.Unknown(keyword);
        }
        String rest = space < 0 ? "" : stripTrailingSpaces(line.substring(space + 1));
        String[] arguments = rest.isEmpty() ? new String[0] : rest.split(" ", -1);
        for (String argument : arguments) {
            if (argument.isEmpty()) {
                // RFC 1939 §3: arguments are separated by a single space.
                return new Pop3Command.Invalid("Syntax error: arguments must be separated by single spaces");
            }
        }
        return switch (keyword) {
            case "USER" -> arguments.length == 1 ? new Pop3Command.User(arguments[0])
                    : new Pop3Command.Invalid("Syntax: USER name");
            case "STAT" -> noArguments(arguments, new Pop3Command.Stat(), "STAT");
            case "RSET" -> noArguments(arguments, new Pop3Command.Rset(), "RSET");
            case "NOOP" -> noArguments(arguments, new Pop3Command.Noop(), "NOOP");
            case "QUIT" -> noArguments(arguments, new Pop3Command.Quit(), "QUIT");
            case "CAPA" -> noArguments(arguments, new Pop3Command.Capa(), "CAPA");
            case "STLS" -> noArguments(arguments, new Pop3Command.Stls(), "STLS");
            case "UTF8" -> noArguments(arguments, new Pop3Command.Utf8(), "UTF8");
            case "LIST", "UIDL" -> listing(keyword, arguments);
            case "RETR", "DELE" -> message(keyword, arguments);
            case "TOP" -> top(arguments);
            case "AUTH" -> auth(arguments);
            // APOP needs the shared secret in clear on the server; not offered.
            default -> new Pop3Command.Unknown(keyword);
        };
    }

    private static Pop3Command noArguments(String[] arguments, Pop3Command command, String keyword) {
        return arguments.length == 0 ? command : new Pop3Command.Invalid("Syntax: " + keyword);
    }

    /** RFC 1939 §5: LIST [msg], §7: UIDL [msg]. */
    private static Pop3Command listing(String keyword, String[] arguments) {
        if (arguments.length > 1) {
            return new Pop3Command.Invalid("Syntax: " + keyword + " [message]");
        }
        if (arguments.length == 0) {
            return keyword.equals("LIST") ? new Pop3Command.List(null) : new Pop3Command.Uidl(null);
        }
        int message = messageNumber(arguments[0]);
        if (message < 0) {
            return new Pop3Command.Invalid("Invalid message number");
        }
        return keyword.equals("LIST") ? new Pop3Command.List(message) : new Pop3Command.Uidl(message);
    }

    /** RFC 1939 §5: RETR msg, DELE msg. */
    private static Pop3Command message(String keyword, String[] arguments) {
        if (arguments.length != 1) {
            return new Pop3Command.Invalid("Syntax: " + keyword + " message");
        }
        int message = messageNumber(arguments[0]);
        if (message < 0) {
            return new Pop3Command.Invalid("Invalid message number");
        }
        return keyword.equals("RETR") ? new Pop3Command.Retr(message) : new Pop3Command.Dele(message);
    }

    /** RFC 1939 §7: TOP msg n; n a non-negative number of lines. */
    private static Pop3Command top(String[] arguments) {
        if (arguments.length != 2) {
            return new Pop3Command.Invalid("Syntax: TOP message lines");
        }
        int message = messageNumber(arguments[0]);
        if (message < 0) {
            return new Pop3Command.Invalid("Invalid message number");
        }
        int lines = number(arguments[1]);
        if (lines < 0) {
            return new Pop3Command.Invalid("Invalid number of lines");
        }
        return new Pop3Command.Top(message, lines);
    }

    /** RFC 5034 §4: AUTH mechanism [initial-response]; a bare AUTH lists the mechanisms. */
    private static Pop3Command auth(String[] arguments) {
        if (arguments.length == 0) {
            return new Pop3Command.Auth(null, null);
        }
        if (arguments.length > 2 || !saslMechanism(arguments[0])) {
            return new Pop3Command.Invalid("Syntax: AUTH mechanism [initial-response]");
        }
        return new Pop3Command.Auth(Ascii.upperCase(arguments[0]), arguments.length == 2 ? arguments[1] : null);
    }

    /** RFC 1939 §3 "messages are numbered starting from 1": a positive decimal, or -1. */
    private static int messageNumber(String argument) {
        int number = number(argument);
        return number > 0 ? number : -1;
    }

    /** A non-negative decimal of at most 40 characters that fits an int, or -1. */
    private static int number(String argument) {
        if (argument.isEmpty() || argument.length() > MAX_ARGUMENT) {
            return -1;
        }
        long value = 0;
        for (int k = 0; k < argument.length(); k++) {
            char c = argument.charAt(k);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
            if (value > Integer.MAX_VALUE) {
                return -1;
            }
        }
        return (int) value;
    }

    /** RFC 4422 §3.1 / RFC 5034 §4: sasl-mech = 1*20 (UPPER-ALPHA / DIGIT / "-" / "_"), case-insensitive here. */
    private static boolean saslMechanism(String word) {
        if (word.isEmpty() || word.length() > 20) {
            return false;
        }
        for (int k = 0; k < word.length(); k++) {
            char c = word.charAt(k);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** Letters, and digits after the first (RFC 6856's UTF8 is a keyword with a digit). */
    private static boolean letters(String keyword) {
        for (int k = 0; k < keyword.length(); k++) {
            char c = keyword.charAt(k);
            if ((c < 'A' || c > 'Z') && (k == 0 || c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasControlCharacter(String text) {
        for (int k = 0; k < text.length(); k++) {
            char c = text.charAt(k);
            if (c < 0x20 || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    private static String stripTrailingSpaces(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == ' ') {
            end--;
        }
        return s.substring(0, end);
    }
}
