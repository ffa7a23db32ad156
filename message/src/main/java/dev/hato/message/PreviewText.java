package dev.hato.message;

/**
 * The preview of a message (RFC 8970 §3.3): a short plain text to show beside its subject in a message list, made from
 * the decoded text of its first text part ({@link TextCollector}: transfer encoding undone, charset converted, HTML
 * reduced to its text). Quoted lines ({@code >} first) are left out and the text ends at a signature separator
 * ({@code "-- "}, RFC 3676 §4.3), since neither says what the message is about; every run of white space, line breaks
 * included, becomes one space, control characters are dropped, and the result is cut at {@link #MAX_CHARACTERS}
 * characters (RFC 8970 §3.3: SHOULD at most 200, MUST NOT more than 256 "preview characters", that is code points),
 * never inside a surrogate pair (a space left at the cut is dropped). Linear in the text it reads, and it stops
 * reading once the preview is full.
 */
public final class PreviewText {

    /** RFC 8970 §3.3: "The server SHOULD limit the length of the preview text to 200 preview characters". */
    public static final int MAX_CHARACTERS = 200;

    private PreviewText() {
    }

    /** The preview of the whole of {@code text}; empty when it has nothing to show. */
    public static String of(CharSequence text) {
        return of(text, 0, text.length());
    }

    /** The preview of {@code text} from {@code start} to {@code end} (exclusive). */
    public static String of(CharSequence text, int start, int end) {
        StringBuilder out = new StringBuilder();
        int characters = 0;
        boolean space = false; // white space seen since the last character kept
        int i = start;
        while (i < end && characters < MAX_CHARACTERS) {
            // at the start of a line: decide whether the line counts
            int lineEnd = i;
            while (lineEnd < end && text.charAt(lineEnd) != '\n') {
                lineEnd++;
            }
            if (signature(text, i, lineEnd)) {
                break;
            }
            if (!quoted(text, i, lineEnd)) {
                for (int j = i; j < lineEnd && characters < MAX_CHARACTERS; ) {
                    int c = Character.codePointAt(text, j);
                    j += Character.charCount(c);
                    if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                        space = true;
                    } else if (Character.getType(c) != Character.CONTROL) {
                        if (space && !out.isEmpty()) {
                            out.append(' ');
                            characters++;
                            if (characters == MAX_CHARACTERS) {
                                break;
                            }
                        }
                        space = false;
                        out.appendCodePoint(c);
                        characters++;
                    }
                }
                space = true; // a line break separates words
            }
            i = lineEnd + 1;
        }
        int length = out.length();
        return length > 0 && out.charAt(length - 1) == ' ' ? out.substring(0, length - 1) : out.toString();
    }

    /** RFC 3676 §4.3: the line "-- " (a carriage return may follow) starts the signature. */
    private static boolean signature(CharSequence text, int start, int end) {
        int length = end - start;
        if (length > 0 && text.charAt(end - 1) == '\r') {
            length--;
        }
        return length == 3 && text.charAt(start) == '-' && text.charAt(start + 1) == '-'
                && text.charAt(start + 2) == ' ';
    }

    /** A line whose first character other than white space is {@code >}: quoted from an earlier message. */
    private static boolean quoted(CharSequence text, int start, int end) {
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c != ' ' && c != '\t') {
                return c == '>';
            }
        }
        return false;
    }
}
