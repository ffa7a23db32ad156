package dev.hato.sieve.match;

/**
 * The i;octet and i;ascii-casemap operations on the UTF-16 chars of a string, without folding it first: both map
 * code points one to one and leave surrogates alone, so equal char sequences are equal code point sequences.
 */
final class Chars {

    private Chars() {
    }

    private static char fold(char c, boolean casemap) {
        return casemap && c >= 'a' && c <= 'z' ? (char) (c - ('a' - 'A')) : c;
    }

    /** RFC 4790 §9.3 ordering, in code point order (the order of the UTF-8 octets). */
    static int compare(String a, String b, boolean casemap, Meter meter) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            meter.tick();
            char x = fold(a.charAt(i), casemap);
            char y = fold(b.charAt(i), casemap);
            if (x != y) {
                // UTF-16 sorts surrogates (U+10000 and up) below U+E000..U+FFFF; UTF-8 and code points do not.
                // Folding never touches a surrogate, so the code points decide there.
                boolean surrogate = Character.isSurrogate(x) || Character.isSurrogate(y);
                return surrogate ? Integer.compare(a.codePointAt(i), b.codePointAt(i)) : Character.compare(x, y);
            }
        }
        return Integer.compare(a.length(), b.length());
    }

    /** RFC 4790 §9.3 substring, charged per char compared: at most value length × key length. */
    static boolean contains(String value, String key, boolean casemap, Meter meter) {
        for (int start = 0; start + key.length() <= value.length(); start++) {
            int i = 0;
            while (i < key.length()) {
                meter.tick();
                if (fold(value.charAt(start + i), casemap) != fold(key.charAt(i), casemap)) {
                    break;
                }
                i++;
            }
            if (i == key.length()) {
                return true;
            }
        }
        return false;
    }
}
