package dev.hato.outbound.client;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Groups reply lines into replies (RFC 5321 §4.2.1): {@code 250-first}, {@code 250-...}, {@code 250 last}. One per
 * connection; lines come without their CRLF. A line that is not a reply line, a continuation with another code, or
 * a reply of more than {@code maxLines} lines is a {@link SmtpProtocolException}: a server that sends such things
 * cannot be trusted with the rest of the conversation.
 */
public final class ReplyParser {

    private final int maxLines;
    private final List<String> pending = new ArrayList<>();
    private int pendingCode = -1;

    public ReplyParser(int maxLines) {
        if (maxLines < 1) {
            throw new IllegalArgumentException("maxLines must be positive");
        }
        this.maxLines = maxLines;
    }

    /** The completed reply when {@code line} ends one, else null. */
    public @Nullable SmtpReply line(String line) {
        if (line.length() < 3 || !digit(line.charAt(0), '2', '5') || !digit(line.charAt(1), '0', '9')
                || !digit(line.charAt(2), '0', '9') || (line.length() > 3 && line.charAt(3) != ' '
                && line.charAt(3) != '-')) {
            throw new SmtpProtocolException("not an SMTP reply line: " + printable(line));
        }
        int code = Integer.parseInt(line.substring(0, 3));
        if (pendingCode >= 0 && code != pendingCode) {
            throw new SmtpProtocolException("reply code changed within a multi-line reply: " + printable(line));
        }
        pendingCode = code;
        pending.add(line.length() > 4 ? line.substring(4) : "");
        if (line.length() > 3 && line.charAt(3) == '-') {
            if (pending.size() >= maxLines) {
                throw new SmtpProtocolException("reply longer than " + maxLines + " lines");
            }
            return null;
        }
        SmtpReply reply = new SmtpReply(code, pending);
        pending.clear();
        pendingCode = -1;
        return reply;
    }

    /** Whether part of a multi-line reply has been read. */
    public boolean inReply() {
        return pendingCode >= 0;
    }

    private static boolean digit(char c, char low, char high) {
        return c >= low && c <= high;
    }

    static String printable(String line) {
        String cut = line.length() > 100 ? line.substring(0, 100) + "..." : line;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
