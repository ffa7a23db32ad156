package dev.hato.contacts;

import org.jspecify.annotations.Nullable;

/** A display name made of a family and a given name, in the order the script of the names expects. */
public final class Names {

    private Names() { }

    /**
     * "Family Given" with a space when either is written in Han, kana or hangul (山田 太郎), "Given Family" otherwise;
     * whichever part is missing is left out.
     */
    public static String join(@Nullable String family, @Nullable String given) {
        String f = family == null ? "" : family.strip();
        String g = given == null ? "" : given.strip();
        if (f.isEmpty() || g.isEmpty()) {
            return f.isEmpty() ? g : f;
        }
        return eastAsian(f) || eastAsian(g) ? f + " " + g : g + " " + f;
    }

    private static boolean eastAsian(String text) {
        return text.codePoints().anyMatch(c -> {
            Character.UnicodeScript script = Character.UnicodeScript.of(c);
            return script == Character.UnicodeScript.HAN || script == Character.UnicodeScript.HIRAGANA
                    || script == Character.UnicodeScript.KATAKANA || script == Character.UnicodeScript.HANGUL;
        });
    }
}
