package dev.hato.web.mail;

import dev.hato.message.EncodedWords;
import dev.hato.message.HeaderAddresses;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One line of the message list: who from, what about, when, whether it is read, and the first words of its text (the
 * RFC 8970 preview stored at delivery). Read from the first octets of the message (its header section), decoded with
 * the message model's encoded-word decoder.
 */
public record Headline(long uid, String from, String subject, Instant received, long size, boolean seen,
                       boolean flagged, String preview) {

    /** Octets of a message read for its list line: enough for the header section of nearly every message. */
    static final int HEAD = 16 * 1024;

    private static final java.time.format.DateTimeFormatter WHEN =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(java.time.ZoneId.systemDefault());

    /** When it arrived, in the server's time zone. */
    public String when() {
        return when(received);
    }

    static String when(Instant instant) {
        return WHEN.format(instant);
    }

    /**
     * From the start of the message; a header section longer than {@link #HEAD} may lose its Subject or From, shown
     * then as empty.
     */
    static Headline of(long uid, @Nullable ByteBuffer head, Instant received, long size, boolean seen,
                       boolean flagged, String preview) {
        String subject = "";
        String from = "";
        if (head != null) {
            String header = headerSection(head);
            String rawSubject = field(header, "subject");
            String rawFrom = field(header, "from");
            subject = rawSubject == null ? "" : EncodedWords.decode(rawSubject).strip();
            HeaderAddresses.Mailbox mailbox = HeaderAddresses.first(rawFrom);
            if (mailbox != null) {
                String name = mailbox.displayName() == null ? "" : EncodedWords.decode(mailbox.displayName()).strip();
                from = name.isEmpty() ? mailbox.address() : name;
            } else if (rawFrom != null) {
                from = EncodedWords.decode(rawFrom).strip();
            }
        }
        return new Headline(uid, from, subject, received, size, seen, flagged, preview);
    }

    /** The header section as text: raw UTF-8 is allowed there (RFC 6532); anything else shows as U+FFFD. */
    private static String headerSection(ByteBuffer head) {
        String text = new String(Octets.of(head), StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            end = text.indexOf("\n\n");
        }
        return end < 0 ? text : text.substring(0, end + 1);
    }

    /** The unfolded value of the first field of this name, or null. Linear in the header's length. */
    static @Nullable String field(String header, String name) {
        int start = 0;
        while (start < header.length()) {
            int lineEnd = header.indexOf('\n', start);
            if (lineEnd < 0) {
                lineEnd = header.length();
            }
            int colon = header.indexOf(':', start);
            if (colon > start && colon < lineEnd && header.substring(start, colon).strip().equalsIgnoreCase(name)) {
                StringBuilder value = new StringBuilder(header.substring(colon + 1, lineEnd).strip());
                int next = lineEnd + 1;
                while (next < header.length() && (header.charAt(next) == ' ' || header.charAt(next) == '\t')) {
                    int continuationEnd = header.indexOf('\n', next);
                    if (continuationEnd < 0) {
                        continuationEnd = header.length();
                    }
                    value.append(' ').append(header.substring(next, continuationEnd).strip());
                    next = continuationEnd + 1;
                }
                return value.toString();
            }
            start = lineEnd + 1;
        }
        return null;
    }
}
