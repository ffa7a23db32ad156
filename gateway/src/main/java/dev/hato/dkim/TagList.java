package dev.hato.dkim;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * RFC 6376 §3.2 tag=value lists (DKIM-Signature fields, key records), parsed in one linear pass over a bounded text.
 * Values are kept with their inner whitespace; surrounding FWS is dropped. A duplicate tag, a tag without "=", or
 * an invalid tag name is a {@link DkimException}.
 */
final class TagList {

    static final int MAX_LENGTH = 64 * 1024;
    static final int MAX_TAGS = 64;

    private TagList() { }

    static Map<String, String> parse(String text) {
        if (text.length() > MAX_LENGTH) {
            throw new DkimException("tag list longer than " + MAX_LENGTH + " octets");
        }
        Map<String, String> tags = new LinkedHashMap<>();
        int start = 0;
        while (start <= text.length()) {
            int end = text.indexOf(';', start);
            if (end < 0) {
                end = text.length();
            }
            String spec = text.substring(start, end);
            start = end + 1;
            if (spec.isBlank()) {
                if (end == text.length()) {
                    break;
                }
                continue; // tolerated: ";;" and a trailing ";"
            }
            int equals = spec.indexOf('=');
            if (equals < 0) {
                throw new DkimException("tag without '=' in tag list");
            }
            String name = fws(spec.substring(0, equals));
            if (!validName(name)) {
                throw new DkimException("invalid tag name in tag list");
            }
            if (tags.size() >= MAX_TAGS) {
                throw new DkimException("more than " + MAX_TAGS + " tags");
            }
            if (tags.put(name, fws(spec.substring(equals + 1))) != null) {
                throw new DkimException("duplicate tag " + name + "=");
            }
        }
        return tags;
    }

    /** The text without whitespace (CR, LF, SP, HTAB) at either end. */
    private static String fws(String text) {
        int from = 0;
        int to = text.length();
        while (from < to && isWhitespace(text.charAt(from))) {
            from++;
        }
        while (to > from && isWhitespace(text.charAt(to - 1))) {
            to--;
        }
        return text.substring(from, to);
    }

    /** A base64 value (b=, bh=, p=): every whitespace removed (FWS may appear anywhere inside, §3.5). */
    static String compact(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!isWhitespace(c)) {
                out.append(c);
            }
        }
        return out.toString();
    }

    static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    private static boolean validName(String name) {
        if (name.isEmpty() || !isAlpha(name.charAt(0))) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(isAlpha(c) || (c >= '0' && c <= '9') || c == '_')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    static String lower(String value) {
        return value.toLowerCase(Locale.ROOT);
    }
}
