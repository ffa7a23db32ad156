package dev.hato.protocol;

/** Case folding for protocol keywords: ASCII letters only, so no locale (or "ſ") can turn a word into a keyword. */
public final class Ascii {

    private Ascii() { }

    public static String upperCase(String s) {
        char[] chars = s.toCharArray();
        for (int k = 0; k < chars.length; k++) {
            if (chars[k] >= 'a' && chars[k] <= 'z') {
                chars[k] -= 'a' - 'A';
            }
        }
        return new String(chars);
    }
}
