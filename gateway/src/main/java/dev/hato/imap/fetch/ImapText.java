package dev.hato.imap.fetch;

import dev.hato.message.MimeHeaderValue;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * IMAP string syntax (RFC 3501 §4.3 and §9): a quoted string where the value allows it, else a literal; NIL for an
 * absent value. Values are octets held one per {@code char}.
 */
final class ImapText {

    private ImapText() {
    }

    /**
     * Appends {@code value} as an nstring. RFC 3501 §9 lets a quoted string hold only 7-bit characters other than
     * CR and LF (with {@code \} and {@code "} escaped), so anything else, 8-bit header octets as they appear in the
     * message included, goes out as a literal {@code {n}CRLF} followed by the octets.
     */
    static void nstring(StringBuilder out, @Nullable String value) {
        if (value == null) {
            out.append("NIL");
            return;
        }
        boolean quotable = true;
        for (int i = 0; i < value.length() && quotable; i++) {
            char c = value.charAt(i);
            quotable = c != 0 && c != '\r' && c != '\n' && c < 0x80;
        }
        if (!quotable) {
            out.append('{').append(value.length()).append("}\r\n").append(value);
            return;
        }
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        out.append('"');
    }

    /** Appends a parenthesised list of attribute/value pairs, or NIL for none (RFC 3501 body-fld-param). */
    static void parameters(StringBuilder out, List<MimeHeaderValue.Parameter> parameters) {
        if (parameters.isEmpty()) {
            out.append("NIL");
            return;
        }
        out.append('(');
        for (int i = 0; i < parameters.size(); i++) {
            if (i > 0) {
                out.append(' ');
            }
            nstring(out, parameters.get(i).attribute());
            out.append(' ');
            nstring(out, parameters.get(i).value());
        }
        out.append(')');
    }
}
