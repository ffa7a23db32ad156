package dev.hato.imap.session;

import java.util.Collection;
import java.util.List;

/** Small pieces of IMAP response syntax (RFC 3501 §9) the session writes itself. */
final class ResponseText {

    private ResponseText() { }

    /**
     * A quoted string: {@code \} and {@code "} escaped (RFC 3501 §4.3). Callers pass only values without CR, LF or
     * NUL (mailbox names are checked on the way in, server texts are our own).
     */
    static String quoted(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.append('"').toString();
    }

    /** A parenthesised flag list. */
    static String flags(Collection<String> flags) {
        return "(" + String.join(" ", flags) + ")";
    }

    /** Ascending numbers as a compact sequence-set, {@code 1:3,7,9:10} (RFC 3501 §9, RFC 4315 §3 uid-set). */
    static String set(List<Long> ascending) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < ascending.size()) {
            long start = ascending.get(i);
            long end = start;
            while (i + 1 < ascending.size() && ascending.get(i + 1) == end + 1) {
                end = ascending.get(++i);
            }
            if (!out.isEmpty()) {
                out.append(',');
            }
            out.append(start);
            if (end != start) {
                out.append(':').append(end);
            }
            i++;
        }
        return out.toString();
    }

    /** Numbers in the given order, as RFC 4315 COPYUID pairs them (not compressed across order changes). */
    static String orderedSet(List<Long> numbers) {
        boolean ascending = true;
        for (int i = 1; i < numbers.size(); i++) {
            ascending &= numbers.get(i) > numbers.get(i - 1);
        }
        if (ascending) {
            return set(numbers);
        }
        StringBuilder out = new StringBuilder();
        for (Long number : numbers) {
            out.append(out.isEmpty() ? "" : ",").append(number);
        }
        return out.toString();
    }
}
