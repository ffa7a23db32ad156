package dev.hato.message;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import org.jspecify.annotations.Nullable;

/**
 * Decodes RFC 2047 encoded words ({@code =?charset?B|Q?text?=}) in an unfolded header value. Linear white space
 * between two adjacent encoded words is dropped (RFC 2047 §6.2), and adjacent words of one charset are decoded as
 * one run of octets, so a Japanese subject split over several ISO-2022-JP words, or a UTF-8 character split over
 * two words, reads as one text. An encoded word whose charset is unknown or whose text is malformed is left
 * as it is. Encoded words are also decoded where RFC 2047 §5 does not allow them (inside quoted strings, glued to
 * other text), as common mail readers do, because senders write them there.
 */
public final class EncodedWords {

    /** Octets of text per encoded word: 60 base64 characters, within RFC 2047's 75 with the word's frame. */
    private static final int OCTETS_PER_WORD = 45;

    private EncodedWords() {
    }

    public static String decode(String value) {
        if (value.indexOf("=?") < 0) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length());
        Run run = null; // the adjacent encoded words of one charset not yet decoded
        int pos = 0;
        while (pos < value.length()) {
            int start = value.indexOf("=?", pos);
            if (start < 0) {
                flush(run, out);
                run = null;
                out.append(value, pos, value.length());
                break;
            }
            Decoded word = word(value, start);
            if (word == null) {
                flush(run, out);
                run = null;
                out.append(value, pos, start + 2);
                pos = start + 2;
                continue;
            }
            boolean adjacent = run != null && value.substring(pos, start).isBlank();
            if (adjacent && run.charset.equals(word.charset)) {
                // Octets of one charset are decoded together: a sender that split a multi-octet character over two
                // words (RFC 2047 §5 forbids it) or an ISO-2022-JP escape state still reads as one text.
                run.octets.writeBytes(word.octets);
            } else {
                flush(run, out);
                if (!adjacent) {
                    out.append(value, pos, start);
                }
                run = new Run(word.charset, new ByteArrayOutputStream());
                run.octets.writeBytes(word.octets);
            }
            pos = word.end;
        }
        flush(run, out);
        return out.toString();
    }

    private record Run(Charset charset, ByteArrayOutputStream octets) {
    }

    private static void flush(@Nullable Run run, StringBuilder out) {
        if (run != null) {
            out.append(new String(run.octets.toByteArray(), run.charset));
        }
    }

    private record Decoded(Charset charset, byte[] octets, int end) {
    }

    /** The encoded word starting at {@code start}, or null when there is none there. */
    private static @Nullable Decoded word(String value, int start) {
        int charsetEnd = value.indexOf('?', start + 2);
        if (charsetEnd < 0 || charsetEnd + 2 >= value.length() || value.charAt(charsetEnd + 2) != '?') {
            return null;
        }
        int textStart = charsetEnd + 3;
        int textEnd = value.indexOf("?=", textStart);
        if (textEnd < 0) {
            return null;
        }
        String charsetName = value.substring(start + 2, charsetEnd);
        int language = charsetName.indexOf('*'); // RFC 2231 §5 language suffix
        if (language >= 0) {
            charsetName = charsetName.substring(0, language);
        }
        for (int i = start + 2; i < textEnd; i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c >= 0x7F) {
                return null;
            }
        }
        Charset charset = MimeCharsets.forName(charsetName);
        if (charset == null) {
            return null;
        }
        char encoding = Character.toUpperCase(value.charAt(charsetEnd + 1));
        String text = value.substring(textStart, textEnd);
        byte[] octets = switch (encoding) {
            case 'B' -> base64(text);
            case 'Q' -> quoted(text);
            default -> null;
        };
        if (octets == null) {
            return null;
        }
        return new Decoded(charset, octets, textEnd + 2);
    }

    /** RFC 2047 §4.1: base64, padding optional in practice. */
    private static byte @Nullable [] base64(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        int bits = 0;
        int count = 0;
        for (int i = 0; i < text.length(); i++) {
            int v = TransferDecoder.base64Value(text.charAt(i));
            if (v < 0) {
                if (text.charAt(i) == '=') {
                    break;
                }
                return null;
            }
            bits = bits << 6 | v;
            count += 6;
            if (count >= 8) {
                count -= 8;
                out.write(bits >> count & 0xFF);
            }
        }
        return out.toByteArray();
    }

    /** RFC 2047 §4.2: "Q" is quoted-printable with "_" for space. */
    private static byte[] quoted(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '_') {
                out.write(' ');
            } else if (c == '=' && i + 2 < text.length() && hex(text.charAt(i + 1)) >= 0
                    && hex(text.charAt(i + 2)) >= 0) {
                out.write(hex(text.charAt(i + 1)) << 4 | hex(text.charAt(i + 2)));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }

    static int hex(char c) {
        return Character.digit(c, 16);
    }

    /**
     * RFC 2047 encoded words for {@code text}, split between characters, folded one per line; the first is short
     * enough that its line, where {@code used} characters come before it, stays within 76 characters (RFC 2047 §2).
     */
    public static String encode(String text, int used) {
        byte[] octets = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        int start = 0;
        // 12 characters of "=?UTF-8?B?" and "?=", 4 base64 characters per 3 octets; at least one character's worth.
        int first = Math.max(6, Math.min(OCTETS_PER_WORD, (76 - used - 12) / 4 * 3));
        while (start < octets.length) {
            int end = Math.min(start + (start == 0 ? first : OCTETS_PER_WORD), octets.length);
            while (end < octets.length && end > start + 1 && (octets[end] & 0xC0) == 0x80) {
                end--; // never split a UTF-8 sequence (RFC 2047 §5: each word a whole number of characters)
            }
            if (out.length() > 0) {
                out.append("\r\n ");
            }
            byte[] word = java.util.Arrays.copyOfRange(octets, start, end);
            out.append("=?UTF-8?B?").append(java.util.Base64.getEncoder().encodeToString(word)).append("?=");
            start = end;
        }
        return out.toString();
    }
}
