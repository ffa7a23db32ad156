package dev.hato.dkim;

import dev.hato.message.HeaderSectionEnd;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The header section of a streamed message (RFC 5322 §2.1: everything before the first empty line), collected
 * up to a bound, then split into fields; the octets after the empty line are handed back as the start of the body.
 */
final class HeaderSection {

    /** One field: its lower-cased name and its octets as in the message, continuation lines included. */
    record Field(String name, byte[] raw) { }

    private final int maxOctets;
    private final ByteArrayOutputStream header = new ByteArrayOutputStream(4096);
    /** Recognises the empty line across chunk boundaries. */
    private final HeaderSectionEnd emptyLine = new HeaderSectionEnd();
    private boolean complete;
    private @Nullable List<Field> fields;

    HeaderSection(int maxOctets) {
        if (maxOctets < 1) {
            throw new IllegalArgumentException("maxOctets must be positive");
        }
        this.maxOctets = maxOctets;
    }

    boolean complete() {
        return complete;
    }

    /**
     * Takes header octets from {@code chunk} (leaving its position unchanged) and returns the index in it where
     * the body begins, or -1 when the whole chunk belonged to the header.
     *
     * @throws DkimException when the header section grows beyond the bound
     */
    int update(ByteBuffer chunk) {
        int start = chunk.position();
        for (int i = start, end = chunk.limit(); i < end; i++) {
            byte b = chunk.get(i);
            if (emptyLine.octet(b)) {
                // The empty line is the separator, part of neither header nor body (RFC 6376 §3.4.3/§3.7).
                complete = true;
                dropEmptyLine();
                return i + 1;
            }
            header.write(b);
            if (header.size() > maxOctets) {
                throw new DkimException("the header section is longer than " + maxOctets + " octets");
            }
        }
        return -1;
    }

    /** The stream ended: a message without a body (no empty line) is all header. */
    void finish() {
        complete = true;
    }


    /** Drops the CR of a CRLF empty line, already taken as a header octet (its LF never is). */
    private void dropEmptyLine() {
        int cr = emptyLine.separatorLength() - 1;
        if (cr > 0) {
            byte[] all = header.toByteArray();
            header.reset();
            header.write(all, 0, all.length - cr);
        }
    }

    /** The fields in message order; lines that are not fields (no colon, stray continuations) are left out. */
    List<Field> fields() {
        if (!complete) {
            throw new IllegalStateException("the header section is not complete");
        }
        if (fields == null) {
            fields = split(header.toByteArray());
        }
        return fields;
    }

    /**
     * The fields to hash for {@code names} (the h= list, RFC 6376 §5.4.2): for a name listed n times, its last
     * instance first, then the one above it, and so on; a name listed more often than it occurs adds nothing (the
     * "null string" that over-signing relies on).
     */
    List<Field> select(List<String> names) {
        List<Field> all = fields();
        Map<String, Integer> used = new HashMap<>();
        List<Field> selected = new ArrayList<>();
        for (String name : names) {
            String lower = name.trim().toLowerCase(Locale.ROOT);
            int skip = used.merge(lower, 1, Integer::sum) - 1;
            int seen = 0;
            for (int i = all.size() - 1; i >= 0; i--) {
                if (all.get(i).name().equals(lower) && seen++ == skip) {
                    selected.add(all.get(i));
                    break;
                }
            }
        }
        return selected;
    }

    private static List<Field> split(byte[] header) {
        List<Field> fields = new ArrayList<>();
        ByteArrayOutputStream field = new ByteArrayOutputStream();
        int lineStart = 0;
        while (lineStart < header.length) {
            int lf = lineStart;
            while (lf < header.length && header[lf] != '\n') {
                lf++;
            }
            int lineEnd = lf > lineStart && header[lf - 1] == '\r' ? lf - 1 : lf;
            if (lineEnd > lineStart && RelaxedHeader.isWhitespace(header[lineStart]) && field.size() > 0) {
                // A continuation line (RFC 5322 §2.2.3): joined by CRLF, as it will be sent.
                field.write('\r');
                field.write('\n');
            } else {
                add(fields, field);
            }
            field.write(header, lineStart, lineEnd - lineStart);
            lineStart = lf + 1;
        }
        add(fields, field);
        return List.copyOf(fields);
    }

    private static void add(List<Field> fields, ByteArrayOutputStream field) {
        if (field.size() == 0) {
            return;
        }
        byte[] bytes = field.toByteArray();
        field.reset();
        String name = RelaxedHeader.name(bytes);
        if (name != null && !name.isEmpty() && !RelaxedHeader.isWhitespace(bytes[0])) {
            fields.add(new Field(name, bytes));
        }
    }
}
