package dev.hato.message;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Turns HTML into the text a reader sees, as it streams: tags and comments are removed (a block element becomes a
 * line break, so words of different paragraphs do not run together), the content of {@code script} and {@code
 * style} is dropped, and character references are decoded (HTML 5 §13.1.4; the named ones mail actually uses,
 * and every numeric one). Memory is bounded: a tag name or reference longer than a few characters is not one.
 */
public final class HtmlText {

    private static final int MAX_NAME = 32;
    private static final Set<String> BLOCKS = Set.of("br", "p", "div", "tr", "td", "th", "li", "h1", "h2", "h3",
            "h4", "h5", "h6", "table", "ul", "ol", "blockquote", "pre", "hr", "title", "dd", "dt");
    private static final Map<String, String> ENTITIES = Map.ofEntries(Map.entry("amp", "&"), Map.entry("lt", "<"),
            Map.entry("gt", ">"), Map.entry("quot", "\""), Map.entry("apos", "'"), Map.entry("nbsp", " "),
            Map.entry("copy", "©"), Map.entry("reg", "®"), Map.entry("hellip", "…"), Map.entry("mdash", "—"),
            Map.entry("ndash", "–"), Map.entry("laquo", "«"), Map.entry("raquo", "»"), Map.entry("yen", "¥"),
            Map.entry("euro", "€"), Map.entry("lsquo", "‘"), Map.entry("rsquo", "’"), Map.entry("ldquo", "“"),
            Map.entry("rdquo", "”"), Map.entry("middot", "·"), Map.entry("times", "×"), Map.entry("bull", "•"),
            Map.entry("trade", "™"), Map.entry("shy", ""), Map.entry("zwnj", ""), Map.entry("zwj", ""));

    /**
     * The HTML 4 named references of the ISO 8859-1 characters (HTML 4.01 §24.2), in code point order from U+00A0:
     * accented letters are what mail written in Western European languages is full of. Case matters ({@code Eacute}
     * is not {@code eacute}).
     */
    private static final String[] LATIN_1 = {
            "nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect", "uml", "copy", "ordf", "laquo",
            "not", "shy", "reg", "macr", "deg", "plusmn", "sup2", "sup3", "acute", "micro", "para", "middot", "cedil",
            "sup1", "ordm", "raquo", "frac14", "frac12", "frac34", "iquest", "Agrave", "Aacute", "Acirc", "Atilde",
            "Auml", "Aring", "AElig", "Ccedil", "Egrave", "Eacute", "Ecirc", "Euml", "Igrave", "Iacute", "Icirc",
            "Iuml", "ETH", "Ntilde", "Ograve", "Oacute", "Ocirc", "Otilde", "Ouml", "times", "Oslash", "Ugrave",
            "Uacute", "Ucirc", "Uuml", "Yacute", "THORN", "szlig", "agrave", "aacute", "acirc", "atilde", "auml",
            "aring", "aelig", "ccedil", "egrave", "eacute", "ecirc", "euml", "igrave", "iacute", "icirc", "iuml",
            "eth", "ntilde", "ograve", "oacute", "ocirc", "otilde", "ouml", "divide", "oslash", "ugrave", "uacute",
            "ucirc", "uuml", "yacute", "thorn", "yuml"};

    private enum State { TEXT, TAG_OPEN, TAG_NAME, TAG_REST, COMMENT, ENTITY }

    private final StringBuilder out;
    private State state = State.TEXT;
    private final StringBuilder name = new StringBuilder();
    private char quote;
    private int dashes;
    private boolean skipping; // inside script or style

    HtmlText(StringBuilder out) {
        this.out = out;
    }

    /** The text a reader sees of a whole HTML document or fragment. */
    public static String toText(CharSequence html) {
        StringBuilder out = new StringBuilder(html.length());
        new HtmlText(out).append(html);
        return out.toString();
    }

    void append(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            character(text.charAt(i));
        }
    }

    private void character(char c) {
        switch (state) {
            case TEXT -> {
                if (c == '<') {
                    state = State.TAG_OPEN;
                    name.setLength(0);
                } else if (c == '&' && !skipping) {
                    state = State.ENTITY;
                    name.setLength(0);
                } else if (!skipping) {
                    out.append(c);
                }
            }
            case TAG_OPEN -> {
                if (c == '!') {
                    name.append(c);
                    state = State.TAG_NAME;
                } else if (c == '/' || Character.isLetter(c)) {
                    name.append(Character.toLowerCase(c));
                    state = State.TAG_NAME;
                } else {
                    // HTML 5 §13.2.5.6 (tag open state): a "<" that starts no tag is text
                    state = State.TEXT;
                    if (!skipping) {
                        out.append('<');
                    }
                    character(c);
                }
            }
            case TAG_NAME -> {
                if (name.length() == 3 && name.toString().equals("!--")) {
                    state = State.COMMENT;
                    dashes = 0;
                    character(c);
                } else if (c == '>') {
                    endTag();
                } else if (Character.isWhitespace(c) || c == '/' && name.length() > 1) {
                    state = State.TAG_REST;
                    quote = 0;
                } else if (name.length() < MAX_NAME) {
                    name.append(Character.toLowerCase(c));
                }
            }
            case TAG_REST -> {
                if (quote != 0) {
                    if (c == quote) {
                        quote = 0;
                    }
                } else if (c == '"' || c == '\'') {
                    quote = c;
                } else if (c == '>') {
                    endTag();
                }
            }
            case COMMENT -> {
                if (c == '>' && dashes >= 2) {
                    state = State.TEXT;
                }
                dashes = c == '-' ? dashes + 1 : 0;
            }
            case ENTITY -> {
                if (c == ';') {
                    reference();
                    state = State.TEXT;
                } else if ((Character.isLetterOrDigit(c) || c == '#') && name.length() < MAX_NAME) {
                    name.append(c);
                } else {
                    out.append('&').append(name);
                    state = State.TEXT;
                    character(c);
                }
            }
        }
    }

    private void endTag() {
        state = State.TEXT;
        String tag = name.toString();
        boolean closing = tag.startsWith("/");
        String bare = closing ? tag.substring(1) : tag;
        if (bare.equals("script") || bare.equals("style")) {
            skipping = !closing;
            return;
        }
        if (!skipping && BLOCKS.contains(bare) && out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
            out.append('\n');
        }
    }

    private void reference() {
        String reference = name.toString();
        String replacement = null;
        if (reference.startsWith("#")) {
            try {
                int code = reference.length() > 1 && (reference.charAt(1) == 'x' || reference.charAt(1) == 'X')
                        ? Integer.parseInt(reference.substring(2), 16)
                        : Integer.parseInt(reference.substring(1));
                if (Character.isValidCodePoint(code) && code != 0) {
                    replacement = new String(Character.toChars(code));
                }
            } catch (NumberFormatException e) {
                replacement = null;
            }
        } else {
            replacement = ENTITIES.get(reference.toLowerCase(Locale.ROOT).equals(reference) ? reference
                    : reference.toLowerCase(Locale.ROOT));
            if (replacement == null) {
                replacement = latin1(reference);
            }
        }
        if (replacement == null) {
            out.append('&').append(reference).append(';');
        } else {
            out.append(replacement);
        }
    }

    private static @Nullable String latin1(String reference) {
        for (int i = 0; i < LATIN_1.length; i++) {
            if (LATIN_1[i].equals(reference)) {
                return String.valueOf((char) (0xA0 + i));
            }
        }
        return null;
    }
}
