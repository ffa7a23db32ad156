package dev.hato.sieve;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * RFC 5228 §2.4.2.4 "encoded-character": {@code ${hex:…}} (octets) and {@code ${unicode:…}} (code points) in a
 * string, the keyword in any case, values separated by blanks (space, tab, CR, LF). A sequence that is not well formed
 * is left as written, and the result is not scanned again ({@code "${hex:4${hex:30}}"} is {@code "${hex:40}"}), as
 * the RFC's examples and Pigeonhole have it. Octets of {@code hex} may spell a UTF-8 character across sequences; the
 * whole string must be UTF-8 in the end.
 */
final class EncodedCharacters {

    private EncodedCharacters() { }

    /** The string with its encoded characters replaced; {@link IllegalArgumentException} with the reason if invalid. */
    static String decode(String value) {
        if (!value.contains("${")) {
            return value;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length());
        int i = 0;
        int copied = 0;
        while ((i = value.indexOf("${", i)) >= 0) {
            boolean hex = value.regionMatches(true, i + 2, "hex:", 0, 4);
            boolean unicode = !hex && value.regionMatches(true, i + 2, "unicode:", 0, 8);
            if (!hex && !unicode) {
                i += 2;
                continue;
            }
            int start = i + 2 + (hex ? 4 : 8);
            ByteArrayOutputStream decoded = new ByteArrayOutputStream();
            int end = sequence(value, start, hex, decoded);
            if (end < 0) {
                i += 2;
                continue;
            }
            out.writeBytes(value.substring(copied, i).getBytes(StandardCharsets.UTF_8));
            out.writeBytes(decoded.toByteArray());
            copied = end + 1;
            i = end + 1;
        }
        out.writeBytes(value.substring(copied).getBytes(StandardCharsets.UTF_8));
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(out.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the octets of ${hex:…} do not make UTF-8 text");
        }
    }

    /**
     * Reads {@code *blank value *(1*blank value) *blank "}"} from {@code start}; the index of the "}", or -1 when the
     * sequence is not well formed (no value, a value too long, another character).
     */
    private static int sequence(String value, int start, boolean hex, ByteArrayOutputStream decoded) {
        int i = start;
        int values = 0;
        while (i < value.length()) {
            char c = value.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                i++;
            } else if (c == '}') {
                return values == 0 ? -1 : i;
            } else if (Character.digit(c, 16) >= 0 && c < 0x80) {
                int from = i;
                while (i < value.length() && value.charAt(i) < 0x80 && Character.digit(value.charAt(i), 16) >= 0) {
                    i++;
                }
                if (i < value.length() && !isBlankOrEnd(value.charAt(i))) {
                    return -1;
                }
                String digits = value.substring(from, i);
                if (hex) {
                    if (digits.length() > 2) {
                        return -1;
                    }
                    decoded.write(Integer.parseInt(digits, 16));
                } else {
                    decoded.writeBytes(codePoint(digits));
                }
                values++;
            } else {
                return -1;
            }
        }
        return -1;
    }

    private static boolean isBlankOrEnd(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '}';
    }

    /** RFC 5228 §2.4.2.4: a code point 0–D7FF or E000–10FFFF, else the script is in error. */
    private static byte[] codePoint(String digits) {
        String significant = digits.replaceFirst("^0+(?=.)", "");
        int codePoint = significant.length() > 6 ? Integer.MAX_VALUE : Integer.parseInt(significant, 16);
        if (codePoint > 0x10FFFF || (codePoint >= 0xD800 && codePoint <= 0xDFFF)) {
            throw new IllegalArgumentException("${unicode:" + digits + "} is not a Unicode character");
        }
        return new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
    }
}
