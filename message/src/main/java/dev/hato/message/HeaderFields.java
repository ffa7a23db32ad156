package dev.hato.message;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** Header octets as RFC 3501 §6.4.5 HEADER.FIELDS and RFC 3516 BINARY need them. */
public final class HeaderFields {

    private HeaderFields() {
    }

    /**
     * The fields of {@code header} whose names are (or, with {@code not}, are not) in {@code names}, ASCII
     * case-insensitively, each with its folded lines as in the message, then the empty line that ends a header
     * (RFC 3501 §6.4.5: the delimiting blank line is included in all header fetches, except for a message that
     * has no body and no blank line).
     */
    public static byte[] filter(byte[] header, List<String> names, boolean not) {
        Set<String> wanted = names.stream().map(name -> name.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean keeping = false;
        int pos = 0;
        while (pos < header.length) {
            int end = pos;
            while (end < header.length && header[end] != '\n') {
                end++;
            }
            int next = Math.min(header.length, end + 1);
            boolean blank = end - pos == 0 || end - pos == 1 && header[pos] == '\r';
            if (blank) {
                break;
            }
            if (header[pos] != ' ' && header[pos] != '\t') {
                int colon = pos;
                while (colon < end && header[colon] != ':') {
                    colon++;
                }
                String name = new String(header, pos, colon - pos, StandardCharsets.ISO_8859_1).strip()
                        .toLowerCase(Locale.ROOT);
                keeping = colon < end && wanted.contains(name) != not;
            }
            if (keeping) {
                out.write(header, pos, next - pos);
                if (header[next - 1] != '\n') {
                    out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
            }
            pos = next;
        }
        if (endsWithBlankLine(header)) {
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    private static boolean endsWithBlankLine(byte[] header) {
        int n = header.length;
        if (n == 0 || header[n - 1] != '\n') {
            return false;
        }
        int before = n >= 2 && header[n - 2] == '\r' ? n - 2 : n - 1;
        return before == 0 || header[before - 1] == '\n';
    }

    /** The Content-Transfer-Encoding mechanism of an entity header, or null when it has none (7bit). */
    public static @Nullable String transferEncoding(byte[] header) {
        String text = new String(header, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r?\n", -1);
        StringBuilder value = null;
        for (String line : lines) {
            if (line.isEmpty()) {
                break;
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                if (value != null) {
                    value.append(line);
                }
                continue;
            }
            if (value != null) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase("content-transfer-encoding")) {
                value = new StringBuilder(line.substring(colon + 1));
            }
        }
        return value == null ? null : MimeHeaderValue.firstToken(value.toString());
    }
}
