package dev.hato.message;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The form in which message text is kept for search and in which every query is brought before it is looked for:
 * Unicode NFKC (so full-width and half-width forms, and composed and decomposed characters, are one), then lower
 * case in {@link Locale#ROOT}. IMAP SEARCH and the webmail's search both compare in it, against the text the
 * delivery indexer stored in it.
 */
public final class SearchText {

    private SearchText() { }

    public static String form(String text) {
        // ASCII text is its own NFKC form: only the lower-casing is left (most of most mail's text, and cheaper to
        // check than to normalise).
        String normal = isAscii(text) ? text : Normalizer.normalize(text, Normalizer.Form.NFKC);
        return normal.toLowerCase(Locale.ROOT);
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
