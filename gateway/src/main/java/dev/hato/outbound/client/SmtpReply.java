package dev.hato.outbound.client;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One reply of a remote server (RFC 5321 §4.2): its code and the text of each line, without the code and separator.
 */
public record SmtpReply(int code, List<String> lines) {

    // RFC 3463 §2 / RFC 2034 §4: an enhanced status code opens the text of each line of a reply.
    private static final Pattern ENHANCED = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?:\\s|$)");

    public SmtpReply {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("reply code out of range: " + code);
        }
        lines = List.copyOf(lines);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("a reply has at least one line");
        }
    }

    public boolean positive() {
        return code < 400;
    }

    /** 4yz: the same command may succeed later (RFC 5321 §4.2.1). */
    public boolean transientFailure() {
        return code >= 400 && code < 500;
    }

    public boolean permanentFailure() {
        return code >= 500;
    }

    /** The enhanced status code the server gave, or null. */
    public @Nullable String enhancedStatus() {
        Matcher matcher = ENHANCED.matcher(lines.get(0));
        if (!matcher.find() || matcher.group(1).charAt(0) - '0' != code / 100) {
            return null;
        }
        return matcher.group(1) + "." + matcher.group(2) + "." + matcher.group(3);
    }

    /** The enhanced status, or one derived from the code class with {@code fallback} as subject.detail. */
    public String status(String fallback) {
        String status = enhancedStatus();
        return status != null ? status : (code / 100) + "." + fallback;
    }

    /** The reply as the server sent it, on one line (for logs, the queue's last error and Diagnostic-Code). */
    @Override
    public String toString() {
        return code + " " + String.join(" ", lines);
    }
}
