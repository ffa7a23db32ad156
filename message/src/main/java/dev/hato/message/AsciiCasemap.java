package dev.hato.message;

import java.util.Comparator;

/**
 * The i;ascii-casemap collation (RFC 4790 §9.2) that IMAP SORT and THREAD compare strings with (RFC 5256 §3): octet by
 * octet (code point by code point is the same order for UTF-8), after mapping a-z to A-Z.
 */
public final class AsciiCasemap {

    public static final Comparator<String> ORDER = AsciiCasemap::compare;

    private AsciiCasemap() {
    }

    private static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = upperAscii(a.codePointAt(i));
            int y = upperAscii(b.codePointAt(j));
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    private static int upperAscii(int c) {
        return c >= 'a' && c <= 'z' ? c - ('a' - 'A') : c;
    }
}
