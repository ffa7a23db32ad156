package dev.hato.bench.load;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One complete server response (RFC 3501 §7): its text, in which each literal appears as its {@code {n}} prefix, and
 * the literals' octets in order. A response with literals is one text over several lines, so an untagged FETCH
 * carrying a header and a body is one value.
 */
record ImapResponse(String text, List<byte[]> literals) {

    ImapResponse {
        Objects.requireNonNull(text, "text");
        literals = List.copyOf(literals);
    }

    /** "+ …": the server asks for the rest of the command (a literal's octets, or IDLE's "+ idling"). */
    boolean continuation() {
        return text.startsWith("+");
    }

    boolean untagged() {
        return text.startsWith("* ");
    }

    boolean taggedWith(String tag) {
        return text.length() > tag.length() && text.startsWith(tag) && text.charAt(tag.length()) == ' ';
    }

    /** The status word of a tagged or untagged status response ("OK", "NO", "BAD", "BYE", "PREAUTH"), upper case. */
    String status() {
        String[] words = text.split(" ", 3);
        return words.length > 1 ? words[1].toUpperCase(Locale.ROOT) : "";
    }

    /** For "* 12 EXISTS" and "* 3 FETCH (…)": the word after the number ("EXISTS", "FETCH"); otherwise "". */
    String numberedKind() {
        String[] words = text.split(" ", 4);
        if (words.length < 3 || !untagged() || words[1].isEmpty() || !words[1].chars().allMatch(Character::isDigit)) {
            return "";
        }
        return words[2].toUpperCase(Locale.ROOT);
    }

    /** The number in "* n KIND"; only meaningful when {@link #numberedKind()} is not empty. */
    long number() {
        return Long.parseLong(text.split(" ", 3)[1]);
    }

    /** The literal octets read as text, for checks on header fields. */
    String literalText(int index) {
        return new String(literals.get(index), StandardCharsets.ISO_8859_1);
    }
}
