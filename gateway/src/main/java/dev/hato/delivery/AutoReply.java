package dev.hato.delivery;

import dev.hato.message.EncodedWords;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The messages filtering writes itself: a vacation response (RFC 5230 §5, RFC 3834 §3) and the note that tells a
 * person their script failed. Seven-bit throughout (encoded words, base64 text), so they pass any server.
 */
final class AutoReply {

    private static final DateTimeFormatter DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String CRLF = "\r\n";

    private AutoReply() { }

    /**
     * A vacation response from {@code from} to {@code to}.
     *
     * @param reason      the text, or with {@code mime} a MIME entity with its own header fields (RFC 5230 §4.6)
     * @param inReplyTo   the original's Message-ID, or null
     * @param references  the original's References field, or null
     */
    static byte[] vacation(String from, String to, String subject, String reason, boolean mime,
                           @Nullable String inReplyTo, @Nullable String references, ZonedDateTime date) {
        StringBuilder out = new StringBuilder();
        field(out, "Date", DATE.format(date));
        field(out, "From", from);
        field(out, "To", "<" + to + ">");
        field(out, "Subject", text(subject, "Subject: ".length()));
        field(out, "Message-ID", messageId(from));
        if (inReplyTo != null) {
            field(out, "In-Reply-To", inReplyTo);
            // RFC 5322 §3.6.4: the parent's References (or In-Reply-To) followed by its Message-ID.
            field(out, "References", references == null ? inReplyTo : references + CRLF + " " + inReplyTo);
        }
        field(out, "Auto-Submitted", "auto-replied (vacation)"); // RFC 3834 §5, RFC 5230 §5.6
        field(out, "MIME-Version", "1.0");
        if (mime) {
            return (out + crlf(reason)).getBytes(StandardCharsets.UTF_8);
        }
        return body(out, reason);
    }

    /** The note to {@code to} that their active script {@code name} failed on a message, which was kept. */
    static byte[] scriptFailed(String postmaster, String to, String name, String reason, ZonedDateTime date) {
        StringBuilder out = new StringBuilder();
        field(out, "Date", DATE.format(date));
        field(out, "From", "Mail filters <" + postmaster + ">");
        field(out, "To", "<" + to + ">");
        field(out, "Subject", text("Your mail filter \"" + name + "\" failed", "Subject: ".length()));
        field(out, "Message-ID", messageId(postmaster));
        field(out, "Auto-Submitted", "auto-generated");
        field(out, "MIME-Version", "1.0");
        return body(out, "Your active mail filter \"" + name + "\" failed on a message:\n\n  " + reason
                + "\n\nThe message was kept in your INBOX, and so will every message be until the filter is"
                + " changed. You are told once for each version of the filter.\n");
    }

    private static byte[] body(StringBuilder header, String text) {
        String normal = crlf(text);
        if (normal.chars().allMatch(c -> c < 0x80) && normal.lines().allMatch(line -> line.length() <= 998)) {
            field(header, "Content-Type", "text/plain; charset=us-ascii");
            field(header, "Content-Transfer-Encoding", "7bit");
            return (header + CRLF + normal).getBytes(StandardCharsets.US_ASCII);
        }
        field(header, "Content-Type", "text/plain; charset=utf-8");
        field(header, "Content-Transfer-Encoding", "base64");
        byte[] encoded = Base64.getMimeEncoder(76, CRLF.getBytes(StandardCharsets.US_ASCII))
                .encode(normal.getBytes(StandardCharsets.UTF_8));
        return (header + CRLF + new String(encoded, StandardCharsets.US_ASCII) + CRLF)
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** A header field value as typed: kept when printable ASCII, else encoded words (RFC 2047). */
    static String text(String value, int used) {
        String line = value.replaceAll("[\\r\\n]+", " ");
        return line.chars().allMatch(c -> c >= 0x20 && c < 0x7f) ? line : EncodedWords.encode(line, used);
    }

    /** Line ends as CRLF, and a last line end. */
    private static String crlf(String text) {
        String lines = String.join(CRLF, text.lines().toList());
        return lines.isEmpty() ? CRLF : lines + CRLF;
    }

    private static void field(StringBuilder out, String name, String value) {
        out.append(name).append(": ").append(value).append(CRLF);
    }

    private static String messageId(String from) {
        String address = from.contains("<") ? from.substring(from.lastIndexOf('<') + 1).replace(">", "") : from;
        String domain = address.substring(address.lastIndexOf('@') + 1).strip();
        byte[] random = new byte[12];
        RANDOM.nextBytes(random);
        return "<" + HexFormat.of().formatHex(random) + "@" + (domain.isEmpty() ? "localhost" : domain) + ">";
    }

    /** The first value of a field among {@code values}, or null. */
    static @Nullable String first(List<String> values) {
        return values.isEmpty() ? null : values.get(0);
    }
}
