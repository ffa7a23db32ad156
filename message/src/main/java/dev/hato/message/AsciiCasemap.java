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

    /** {@code c} with a-z mapped to A-Z, everything else as it is (RFC 4790 §9.2): never locale-dependent. */
    public static int upperAscii(int c) {
        return c >= 'a' && c <= 'z' ? c - ('a' - 'A') : c;
    }

    /** {@code s} with A-Z mapped to a-z and nothing else changed: names, tags, Sieve's {@code :lower}. */
    public static String lower(CharSequence s) {
        return map(s, false);
    }

    /** {@code s} with a-z mapped to A-Z and nothing else changed: Sieve's {@code :upper}. */
    public static String upper(CharSequence s) {
        return map(s, true);
    }

    private static String map(CharSequence s, boolean upper) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (upper && c >= 'a' && c <= 'z') {
                c = (char) (c - ('a' - 'A'));
            } else if (!upper && c >= 'A' && c <= 'Z') {
                c = (char) (c + ('a' - 'A'));
            }
            out.append(c);
        }
        return out.toString();
    }
}
