package dev.hato.imap.fetch;

import dev.hato.imap.wire.FetchAttribute.Section;
import dev.hato.imap.wire.FetchAttribute.Text;
import java.util.List;

/**
 * Section specs and part numbers as RFC 3501 §9 writes them. A FETCH response names each section as the client
 * asked for it ({@code BODY[1.2.HEADER.FIELDS (FROM)]}), so a client can match the answer to its question; this is
 * where that name is written back, and where a part number becomes the path {@link
 * dev.hato.message.MessagePart#section} looks up.
 */
final class SectionSpec {

    private SectionSpec() {
    }

    /** The section spec as RFC 3501 §9 writes it, for the response to name the section that was asked for. */
    static String spec(Section section) {
        StringBuilder out = new StringBuilder(numbers(section.part()));
        Text text = section.text();
        if (text == null) {
            return out.toString();
        }
        if (!section.part().isEmpty()) {
            out.append('.');
        }
        switch (text) {
            case HEADER -> out.append("HEADER");
            case TEXT -> out.append("TEXT");
            case MIME -> out.append("MIME");
            case HEADER_FIELDS, HEADER_FIELDS_NOT -> {
                out.append(text == Text.HEADER_FIELDS ? "HEADER.FIELDS (" : "HEADER.FIELDS.NOT (");
                for (int i = 0; i < section.fields().size(); i++) {
                    if (i > 0) {
                        out.append(' ');
                    }
                    astring(out, section.fields().get(i));
                }
                out.append(')');
            }
        }
        return out.toString();
    }

    /** A part number, {@code 1.2.3}; empty for the whole message. */
    static String numbers(List<Integer> numbers) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < numbers.size(); i++) {
            if (i > 0) {
                out.append('.');
            }
            out.append(numbers.get(i));
        }
        return out.toString();
    }

    /** A part number as the path {@link dev.hato.message.MessagePart#section} takes. */
    static int[] path(List<Integer> numbers) {
        return numbers.stream().mapToInt(Integer::intValue).toArray();
    }

    /** RFC 3501 §9 astring: an atom when the name is one, else a quoted string. */
    private static void astring(StringBuilder out, String value) {
        boolean atom = !value.isEmpty();
        for (int i = 0; i < value.length() && atom; i++) {
            char c = value.charAt(i);
            atom = c > ' ' && c < 0x7F && "(){%*\"\\]".indexOf(c) < 0;
        }
        if (atom) {
            out.append(value);
        } else {
            ImapText.nstring(out, value);
        }
    }
}
