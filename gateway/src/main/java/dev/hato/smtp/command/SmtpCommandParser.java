package dev.hato.smtp.command;

import dev.hato.protocol.Ascii;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Turns one complete SMTP command line (without its line ending, as a {@code LineFramer} returns it) into one
 * {@link SmtpCommand}. Stateless and thread-safe; whether a command is allowed in the current state is the
 * session's business, not the grammar's.
 *
 * <p>Strict where a loose reading would be a risk (paths, their sizes, parameters), lenient where deployed clients
 * deviate harmlessly: verbs are case-insensitive (RFC 5321 §2.4), trailing spaces are ignored, and spaces between
 * {@code FROM:} / {@code TO:} and the path are tolerated, as many clients send {@code MAIL FROM: <a@b>}.
 */
public final class SmtpCommandParser {

    private static final int MAX_BDAT_DIGITS = 18;

    /**
     * Parses one command line as the framer hands it over. A MAIL or RCPT line that is not well-formed UTF-8 is
     * refused here, while its octets are at hand: with SMTPUTF8 a path may hold UTF-8 characters (RFC 6531 §3.3, RFC
     * 3629: no lone or truncated sequences, no overlong forms, no surrogates) and nothing else, and once decoded the
     * bad octets would be U+FFFD, an address the client never sent. The reply is the one RFC 6531 §3.5 and RFC 6533
     * §3 give for a non-ASCII address the server does not take, 553 5.6.7. Without SMTPUTF8 any octet above 127
     * is refused anyway (with the same code, by the session). Other commands read malformed octets as U+FFFD.
     */
    public SmtpCommand parse(byte[] line) {
        boolean ascii = true;
        for (byte b : line) {
            if (b < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return parse(new String(line, StandardCharsets.US_ASCII));
        }
        try {
            return parse(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(line)).toString());
        } catch (CharacterCodingException e) {
            if (startsWithVerb(line, "MAIL") || startsWithVerb(line, "RCPT")) {
                return new SmtpCommand.Invalid(553, "5.6.7",
                        "Address is not valid UTF-8; SMTPUTF8 addresses must be well-formed UTF-8 (RFC 6531 §3.3)");
            }
            return parse(new String(line, StandardCharsets.UTF_8));
        }
    }

    /** Whether {@code line} starts with {@code verb} (upper-case ASCII), in any case, then a space or its end. */
    private static boolean startsWithVerb(byte[] line, String verb) {
        if (line.length < verb.length() || line.length > verb.length() && line[verb.length()] != ' ') {
            return false;
        }
        for (int i = 0; i < verb.length(); i++) {
            int c = line[i] >= 'a' && line[i] <= 'z' ? line[i] - 32 : line[i];
            if (c != verb.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Parses one command line. Never throws for any input. */
    public SmtpCommand parse(String line) {
        String text = stripTrailingSpaces(line);
        if (hasControlCharacter(text)) {
            // RFC 5321 §4.1.1: commands are printable text; a CTL is never part of valid syntax.
            return new SmtpCommand.Invalid(500, "5.5.2", "Syntax error, control characters not allowed");
        }
        int space = text.indexOf(' ');
        // ASCII-only case folding: "ſtarttls".toUpperCase() would be "STARTTLS".
        String verb = Ascii.upperCase(space < 0 ? text : text.substring(0, space));
        // RFC 5321 §4.1.1: the verb and its argument are separated by one SP.
        @Nullable String argument = space < 0 ? null : text.substring(space + 1);
        return switch (verb) {
            case "HELO" -> hello(argument, false);
            case "EHLO" -> hello(argument, true);
            case "MAIL" -> mail(argument);
            case "RCPT" -> rcpt(argument);
            case "DATA" -> argument == null ? new SmtpCommand.Data() : syntax("Syntax: DATA");
            case "RSET" -> argument == null ? new SmtpCommand.Rset() : syntax("Syntax: RSET");
            case "QUIT" -> argument == null ? new SmtpCommand.Quit() : syntax("Syntax: QUIT");
            case "STARTTLS" -> argument == null ? new SmtpCommand.StartTls() : syntax("Syntax: STARTTLS");
            // RFC 5321 §4.1.1.9: NOOP [ SP String ]; the string is ignored.
            case "NOOP" -> new SmtpCommand.Noop();
            case "HELP" -> new SmtpCommand.Help(argument == null ? "" : argument.strip());
            case "VRFY" -> isBlank(argument) ? syntax("Syntax: VRFY address")
                    : new SmtpCommand.Vrfy(argument.strip());
            case "EXPN" -> isBlank(argument) ? syntax("Syntax: EXPN list")
                    : new SmtpCommand.Expn(argument.strip());
            case "AUTH" -> auth(argument);
            case "BDAT" -> bdat(argument);
            default -> new SmtpCommand.Unknown(verb);
        };
    }

    /** RFC 5321 §4.1.1.1: ehlo = "EHLO" SP ( Domain / address-literal ); the session judges the name itself. */
    private static SmtpCommand hello(@Nullable String argument, boolean extended) {
        String verb = extended ? "EHLO" : "HELO";
        if (isBlank(argument)) {
            return syntax("Syntax: " + verb + " hostname");
        }
        String domain = argument.strip();
        return extended ? new SmtpCommand.Ehlo(domain) : new SmtpCommand.Helo(domain);
    }

    /** RFC 5321 §4.1.1.2: "MAIL FROM:" Reverse-path [SP Mail-parameters]. */
    private static SmtpCommand mail(@Nullable String argument) {
        return path(argument, true);
    }

    /** RFC 5321 §4.1.1.3: "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" / Forward-path ) [SP params]. */
    private static SmtpCommand rcpt(@Nullable String argument) {
        return path(argument, false);
    }

    private static SmtpCommand path(@Nullable String argument, boolean mail) {
        String usage = mail ? "Syntax: MAIL FROM:<address>" : "Syntax: RCPT TO:<address>";
        int path = afterKeyword(argument, mail ? "FROM:" : "TO:");
        if (argument == null || path < 0 || !argument.startsWith("<", path)) {
            return syntax(usage);
        }
        // RFC 3463 §3.2: X.1.7 bad sender's address syntax, X.1.3 bad destination address syntax.
        String enhancedCode = mail ? "5.1.7" : "5.1.3";
        String badAddress = mail ? "Bad sender address syntax" : "Bad recipient address syntax";
        PathParser.Result result = PathParser.parse(argument, path, mail);
        if (result instanceof PathParser.TooLong tooLong) {
            return new SmtpCommand.Invalid(501, enhancedCode, badAddress + ": " + tooLong.part());
        }
        if (!(result instanceof PathParser.Parsed parsed)) {
            return new SmtpCommand.Invalid(501, enhancedCode, badAddress);
        }
        int end = parsed.end();
        if (end < argument.length() && argument.charAt(end) != ' ') {
            // Something glued to the closing ">" is part of a malformed path, not a parameter.
            return new SmtpCommand.Invalid(501, enhancedCode, badAddress);
        }
        Map<String, @Nullable String> parameters = new LinkedHashMap<>();
        @Nullable String error = parameters(argument, end, parameters);
        if (error != null) {
            return syntax(error);
        }
        return mail ? new SmtpCommand.Mail(parsed.mailbox(), parameters)
                : new SmtpCommand.Rcpt(parsed.mailbox(), parameters);
    }

    /** RFC 4954 §4: "AUTH" SP sasl-mech [SP initial-response]. */
    private static SmtpCommand auth(@Nullable String argument) {
        String[] words = argument == null ? new String[0] : argument.split(" ", -1);
        if (words.length < 1 || words.length > 2 || !saslMechanism(words[0])
                || words.length == 2 && words[1].isEmpty()) {
            return syntax("Syntax: AUTH mechanism [initial-response]");
        }
        return new SmtpCommand.Auth(Ascii.upperCase(words[0]), words.length == 2 ? words[1] : null);
    }

    /** RFC 3030 §3: bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ]; chunk-size = 1*DIGIT; end-marker = "LAST". */
    private static SmtpCommand bdat(@Nullable String argument) {
        String[] words = argument == null ? new String[0] : argument.split(" ", -1);
        if (words.length < 1 || words.length > 2 || words[0].isEmpty() || words[0].length() > MAX_BDAT_DIGITS
                || !digits(words[0]) || words.length == 2 && !words[1].equalsIgnoreCase("LAST")) {
            return syntax("Syntax: BDAT size [LAST]");
        }
        return new SmtpCommand.Bdat(Long.parseLong(words[0]), words.length == 2);
    }

    /**
     * RFC 5321 §4.1.2: Mail-parameters = esmtp-param *(SP esmtp-param); esmtp-param = esmtp-keyword ["=" esmtp-value].
     * Fills {@code parameters} (keys upper-case, in the order sent) from {@code s[from..]}, which is empty or starts
     * with a space; returns the reply text of a syntax error, or {@code null}.
     */
    private static @Nullable String parameters(String s, int from, Map<String, @Nullable String> parameters) {
        int n = s.length();
        int i = from;
        while (i < n) {
            // Lenient with runs of spaces between parameters; trailing ones were stripped already.
            while (i < n && s.charAt(i) == ' ') {
                i++;
            }
            int end = s.indexOf(' ', i);
            if (end < 0) {
                end = n;
            }
            String parameter = s.substring(i, end);
            int equals = parameter.indexOf('=');
            String keyword = equals < 0 ? parameter : parameter.substring(0, equals);
            @Nullable String value = equals < 0 ? null : parameter.substring(equals + 1);
            if (!esmtpKeyword(keyword) || value != null && !esmtpValue(value)) {
                return "Bad parameter syntax";
            }
            String key = Ascii.upperCase(keyword);
            if (parameters.containsKey(key)) {
                // A repeated parameter is ambiguous (which SIZE counts?): refuse it rather than pick one.
                return "Duplicate parameter " + key;
            }
            parameters.put(key, value);
            i = end;
        }
        return null;
    }

    /** RFC 5321 §4.1.2: esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"). */
    private static boolean esmtpKeyword(String keyword) {
        if (keyword.isEmpty() || !alphaDigit(keyword.charAt(0))) {
            return false;
        }
        for (int k = 1; k < keyword.length(); k++) {
            char c = keyword.charAt(k);
            if (!alphaDigit(c) && c != '-') {
                return false;
            }
        }
        return true;
    }

    /** RFC 5321 §4.1.2: esmtp-value = 1*(%d33-60 / %d62-126), plus UTF-8 per RFC 6531 §3.3. */
    private static boolean esmtpValue(String value) {
        if (value.isEmpty()) {
            return false;
        }
        for (int k = 0; k < value.length(); k++) {
            char c = value.charAt(k);
            if (!(c >= 33 && c <= 60 || c >= 62 && c <= 126 || c >= 0x80)) {
                return false;
            }
        }
        return true;
    }

    /** RFC 4422 §3.1 / RFC 4954 §4: sasl-mech = 1*20 (UPPER-ALPHA / DIGIT / "-" / "_"), case-insensitive here. */
    private static boolean saslMechanism(String word) {
        if (word.isEmpty() || word.length() > 20) {
            return false;
        }
        for (int k = 0; k < word.length(); k++) {
            char c = word.charAt(k);
            if (!alphaDigit(c) && c != '-' && c != '_') {
                return false;
            }
        }
        return true;
    }

    /** The index of the path after {@code keyword} (case-insensitive) and any spaces, or -1. */
    private static int afterKeyword(@Nullable String argument, String keyword) {
        if (argument == null || !argument.regionMatches(true, 0, keyword, 0, keyword.length())) {
            return -1;
        }
        int i = keyword.length();
        while (i < argument.length() && argument.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    private static SmtpCommand syntax(String text) {
        return new SmtpCommand.Invalid(501, "5.5.4", text);
    }

    private static String stripTrailingSpaces(String line) {
        int end = line.length();
        while (end > 0 && line.charAt(end - 1) == ' ') {
            end--;
        }
        return line.substring(0, end);
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

    private static boolean isBlank(@Nullable String s) {
        return s == null || s.isBlank();
    }

    private static boolean alphaDigit(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }

    private static boolean digits(String s) {
        for (int k = 0; k < s.length(); k++) {
            if (s.charAt(k) < '0' || s.charAt(k) > '9') {
                return false;
            }
        }
        return true;
    }
}
