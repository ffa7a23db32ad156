package dev.hato.pop3.wire;

import dev.hato.message.EncodedWords;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Rewrites the header fields of a header section that carry UTF-8 (RFC 6532) into ASCII, for a POP3 client that did
 * not enable UTF-8 (RFC 6856). A simplified downgrade in the manner of RFC 6858; fields that are ASCII already are
 * left byte for byte as they were, and so is a header section without any octet above 0x7F.
 *
 * <ul>
 *   <li>Address fields (From, To, Cc, ...): a display name becomes RFC 2047 encoded words; a mailbox whose address
 *       is ASCII keeps it ({@code =?UTF-8?B?...?= <ann@example.org>}); a mailbox whose address is not, or anything
 *       this class does not take apart (groups, comments), becomes an empty group whose display name is the encoded
 *       original ({@code =?UTF-8?B?...?= :;}, RFC 6854 allows a group in From), so nothing is lost to the reader and
 *       no non-ASCII address reaches a client that cannot use it.</li>
 *   <li>Content-Type and Content-Disposition: parameters that are not ASCII become RFC 2231 extended values
 *       ({@link MimeParameterDowngrade}), so the client keeps the MIME type, charset and boundary.</li>
 *   <li>Other structured fields that have no place for encoded words (Message-ID, References, Received, ...):
 *       renamed to {@code Downgraded-<name>} with the original value as encoded words, so their syntax is never
 *       broken (RFC 6857 §3 registers Downgraded-Message-Id, -In-Reply-To and -References this way).</li>
 *   <li>Every other field (Subject, Comments, Content-Description, X-...): unstructured text, its value as encoded
 *       words (RFC 2047 §5).</li>
 * </ul>
 * Encoded words are UTF-8, "B" encoding, at most 75 characters each, split between characters, one per folded line.
 */
final class HeaderFieldDowngrade {

    private static final Set<String> ADDRESS_FIELDS = Set.of("from", "sender", "reply-to", "to", "cc", "bcc",
            "resent-from", "resent-sender", "resent-to", "resent-cc", "resent-bcc");
    private static final Set<String> UNSTRUCTURED_FIELDS = Set.of("subject", "comments", "keywords",
            "content-description");
    /** RFC 2047 §2: 75 characters; "=?UTF-8?B?" and "?=" take 12, leaving 63 base64 characters, i.e. 45 octets. */

    private HeaderFieldDowngrade() { }

    /** The header section (with its ending empty line, if any) with every UTF-8 field rewritten into ASCII. */
    static byte[] downgrade(byte[] header) {
        if (ascii(header, 0, header.length)) {
            return header;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(header.length + header.length / 2);
        int start = 0;
        while (start < header.length) {
            int end = fieldEnd(header, start);
            if (ascii(header, start, end) || colon(header, start, end) < 0) {
                out.write(header, start, end - start); // ASCII, the empty line, or not a field: as it was
            } else {
                out.writeBytes(rewrite(header, start, end).getBytes(StandardCharsets.US_ASCII));
            }
            start = end;
        }
        return out.toByteArray();
    }

    /** The end of the field that starts at {@code start}: after the LF of its last line (folded lines included). */
    private static int fieldEnd(byte[] header, int start) {
        int i = start;
        while (i < header.length) {
            while (i < header.length && header[i] != '\n') {
                i++;
            }
            i = Math.min(i + 1, header.length);
            boolean emptyLine = i - start <= 2 && (i - start == 1 || header[start] == '\r');
            if (emptyLine || i >= header.length || (header[i] != ' ' && header[i] != '\t')) {
                return i;
            }
        }
        return i;
    }

    private static String rewrite(byte[] header, int start, int end) {
        int colon = colon(header, start, end);
        String name = new String(header, start, colon - start, StandardCharsets.US_ASCII).trim();
        String value = unfold(new String(header, colon + 1, end - colon - 1, StandardCharsets.UTF_8)).trim();
        String lower = name.toLowerCase(Locale.ROOT);
        if (ADDRESS_FIELDS.contains(lower)) {
            return name + ": " + addresses(value, name.length() + 2) + "\r\n";
        }
        String parameters = MimeParameterDowngrade.downgrade(lower, value);
        if (parameters != null) {
            return name + ": " + parameters + "\r\n";
        }
        String field = UNSTRUCTURED_FIELDS.contains(lower) || !structured(lower) ? name : "Downgraded-" + name;
        return field + ": " + encodedWords(value, field.length() + 2) + "\r\n";
    }

    /** Known RFC 5322 / RFC 2045 structured fields, where an encoded word would break the syntax. */
    private static boolean structured(String lower) {
        return lower.equals("message-id") || lower.equals("in-reply-to") || lower.equals("references")
                || lower.equals("received") || lower.equals("return-path") || lower.equals("date")
                || lower.equals("mime-version") || lower.startsWith("content-") || lower.startsWith("resent-")
                || lower.equals("delivered-to") || lower.startsWith("dkim-") || lower.startsWith("arc-")
                || lower.equals("authentication-results") || lower.startsWith("list-");
    }

    /** {@code used}: the characters before the value on its first line (the field name, colon and space). */
    private static String addresses(String value, int used) {
        List<String> mailboxes = split(value);
        if (mailboxes == null) {
            return group(value, used);
        }
        List<String> out = new ArrayList<>();
        for (String mailbox : mailboxes) {
            out.add(mailbox(mailbox.trim(), out.isEmpty() ? used : 1));
        }
        return String.join(",\r\n ", out);
    }

    /** One mailbox: {@code name <addr>} or a bare {@code addr}. */
    private static String mailbox(String mailbox, int used) {
        int open = mailbox.lastIndexOf('<');
        boolean angle = open >= 0 && mailbox.endsWith(">");
        String address = angle ? mailbox.substring(open + 1, mailbox.length() - 1).trim() : mailbox;
        if (!ascii(address) || address.indexOf('(') >= 0 || address.indexOf(' ') >= 0) {
            return group(mailbox, used);
        }
        String name = angle ? mailbox.substring(0, open).trim() : "";
        if (name.isEmpty()) {
            return angle ? "<" + address + ">" : address;
        }
        if (ascii(name)) {
            return name + " <" + address + ">";
        }
        if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
            name = name.substring(1, name.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        return encodedWords(name, used) + " <" + address + ">";
    }

    /** RFC 5322 §3.4 group with no members, named by the encoded original. */
    private static String group(String original, int used) {
        return encodedWords(original, used) + " :;";
    }

    /** The mailboxes of a list split at top-level commas; null for what this class does not take apart. */
    private static List<String> split(String value) {
        List<String> parts = new ArrayList<>();
        boolean quoted = false;
        boolean angle = false;
        int from = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == '<') {
                angle = true;
            } else if (c == '>') {
                angle = false;
            } else if (!angle && (c == ':' || c == ';' || c == '(')) {
                return null; // a group or a comment
            } else if (!angle && c == ',') {
                parts.add(value.substring(from, i));
                from = i + 1;
            }
        }
        if (quoted || angle) {
            return null;
        }
        parts.add(value.substring(from));
        parts.removeIf(part -> part.isBlank());
        return parts.isEmpty() ? null : parts;
    }

    static String encodedWords(String text, int used) {
        return EncodedWords.encode(text, used);
    }

    /** RFC 5322 §2.2.3: unfolding removes the CRLF (or bare LF) before a folding white space. */
    private static String unfold(String value) {
        return value.replace("\r\n", "").replace("\n", "").replace("\r", "");
    }

    private static int colon(byte[] header, int start, int end) {
        for (int i = start; i < end; i++) {
            if (header[i] == ':') {
                return i > start ? i : -1;
            }
            if (header[i] <= ' ' || header[i] >= 0x7F) {
                return -1; // RFC 5322 §2.2: field names are printable ASCII without spaces
            }
        }
        return -1;
    }

    private static boolean ascii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static boolean ascii(byte[] octets, int from, int to) {
        for (int i = from; i < to; i++) {
            if (octets[i] < 0) {
                return false;
            }
        }
        return true;
    }
}
