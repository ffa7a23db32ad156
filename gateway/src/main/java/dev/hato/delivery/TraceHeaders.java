package dev.hato.delivery;

import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** The trace fields a receiving SMTP server prepends (RFC 5321 §4.4, RFC 5322 §3.6.7). */
public final class TraceHeaders {

    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);

    /** What may not appear in the HELO argument we repeat; compiled once (this runs for every message). */
    private static final Pattern NOT_HELO = Pattern.compile("[^A-Za-z0-9.\\-\\[\\]:_]");

    private TraceHeaders() { }

    /** The trace fields of a message that no alias or forwarding sends on. */
    public static byte[] of(String reversePath, String helo, String clientIp, String hostName, String with,
                            String id, List<String> recipients, ZonedDateTime now) {
        return of(reversePath, helo, clientIp, hostName, with, id, recipients, List.of(), now);
    }

    /**
     * {@code Return-Path} with the reverse-path, a {@code Delivered-To} field for each local address whose alias or
     * forwarding sends the message on (so that it is recognised when it comes back: a loop), then one
     * {@code Received} field. {@code with} is the RFC 3848 / RFC 6531 §3.7.3 protocol name (SMTP, ESMTP, ESMTPSA,
     * UTF8SMTPSA, ...). The "for" clause names the recipient only when there is exactly one, so a message to many
     * local recipients is one identical blob; it keeps a plus-address tag as the client wrote it.
     */
    public static byte[] of(String reversePath, String helo, String clientIp, String hostName, String with,
                            String id, List<String> recipients, List<String> deliveredTo, ZonedDateTime now) {
        StringBuilder fields = new StringBuilder(256)
                .append("Return-Path: <").append(reversePath).append(">\r\n");
        for (String address : deliveredTo) {
            fields.append("Delivered-To: ").append(address).append("\r\n");
        }
        fields
                // RFC 5321 §4.4 and §4.1.3: an IPv6 address literal carries the "IPv6:" tag.
                .append("Received: from ").append(sanitize(helo)).append(" ([")
                .append(clientIp.indexOf(':') >= 0 ? "IPv6:" + clientIp : clientIp).append("])\r\n")
                .append("\tby ").append(hostName).append(" (Hato) with ").append(with).append(" id ").append(id);
        String single = recipients.size() == 1 ? recipients.get(0) : null;
        appendFor(fields, single);
        fields.append("; ").append(DATE.format(now)).append("\r\n");
        return fields.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void appendFor(StringBuilder fields, @Nullable String recipient) {
        if (recipient != null) {
            fields.append("\r\n\tfor <").append(recipient).append('>');
        }
    }

    /** The HELO argument is client-controlled: keep it to one header-safe token. */
    private static String sanitize(String helo) {
        String cleaned = NOT_HELO.matcher(helo).replaceAll("");
        if (cleaned.isEmpty()) {
            return "unknown";
        }
        return cleaned.length() > 255 ? cleaned.substring(0, 255) : cleaned;
    }
}
