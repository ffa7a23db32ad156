package dev.hato.message;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The Java charset for a MIME charset name (RFC 2045 §5.1, RFC 2047 §2), chosen for reading text as senders meant
 * it: labels that are commonly used for a larger repertoire map to that superset, as mail readers do.
 */
public final class MimeCharsets {

    private static final Charset WINDOWS_31J = Charset.forName("windows-31j");
    private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");
    private static final Charset ISO_2022_JP = Charset.forName("ISO-2022-JP");
    private static final Charset EUC_JP = Charset.forName("EUC-JP");

    private MimeCharsets() {
    }

    /**
     * Shift_JIS messages from Windows carry NEC and IBM extensions (①, ～), which only Windows-31J decodes;
     * ISO-8859-1 is read as windows-1252, whose C1 range holds the quotes and dashes such senders meant; US-ASCII
     * (also the default when no charset is given, RFC 2045 §5.2) is read as UTF-8, a superset, because 8-bit text
     * mislabelled as ASCII is usually UTF-8. Unknown names give null.
     */
    static @Nullable Charset forName(@Nullable String name) {
        if (name == null) {
            return null;
        }
        String label = name.strip().toLowerCase(Locale.ROOT);
        switch (label) {
            case "", "us-ascii", "ascii", "utf8", "utf-8", "unicode-1-1-utf-8" -> {
                return StandardCharsets.UTF_8;
            }
            case "shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "csshiftjis", "cp932", "ms932",
                 "windows-31j" -> {
                return WINDOWS_31J;
            }
            case "iso-8859-1", "latin1", "iso_8859-1", "l1" -> {
                return WINDOWS_1252;
            }
            default -> {
                try {
                    return Charset.forName(label);
                } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
                    return null;
                }
            }
        }
    }

    /**
     * Raw header octets as text (RFC 6532 allows UTF-8 there; older mail has whatever its sender used): the charset
     * {@link #sniff} finds, so nothing is lost.
     */
    public static String utf8OrLatin(byte[] octets, int offset, int length) {
        return new String(octets, offset, length, sniff(octets, offset, length, true));
    }

    /**
     * The charset a text part declares, or null when it declares none that tells anything: no charset parameter,
     * US-ASCII (RFC 2045 §5.2's default, and what software that never looked at its 8-bit text writes), an unknown
     * name, or {@code unknown-8bit} (RFC 1428). Such text is {@link #sniff sniffed}.
     */
    public static @Nullable Charset declared(@Nullable String name) {
        if (name == null) {
            return null;
        }
        String label = name.strip().toLowerCase(Locale.ROOT);
        if (label.isEmpty() || label.equals("us-ascii") || label.equals("ascii") || label.equals("unknown-8bit")
                || label.equals("x-unknown")) {
            return null;
        }
        return forName(label);
    }

    /**
     * The charset of undeclared text, as mature mail readers guess it: ISO-2022-JP when its escape sequences are
     * there (RFC 1468: ESC $ B, ESC $ @, ESC ( B, ESC ( J, all 7-bit, so an undeclared Japanese message is still
     * "ASCII" to a naive reader); UTF-8 when the octets are valid UTF-8 (the octets seen may end inside a character
     * when {@code complete} is false); else EUC-JP or Shift_JIS (as Windows-31J) when the octets are valid in it,
     * EUC-JP first and only when no octet falls in the C1 range it never uses as a lead; else windows-1252, which
     * decodes every octet.
     */
    public static Charset sniff(byte[] octets, int offset, int length, boolean complete) {
        boolean eightBit = false;
        boolean escape = false;
        boolean c1 = false;
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            int b = octets[i] & 0xFF;
            if (b >= 0x80) {
                eightBit = true;
                c1 |= b < 0xA1 && b != 0x8E && b != 0x8F;
            } else if (b == 0x1B && i + 1 < end && (octets[i + 1] == '$' || octets[i + 1] == '(')) {
                escape = true;
            }
        }
        if (!eightBit) {
            return escape ? ISO_2022_JP : StandardCharsets.UTF_8;
        }
        if (valid(StandardCharsets.UTF_8, octets, offset, length, complete)) {
            return StandardCharsets.UTF_8;
        }
        if (!c1 && valid(EUC_JP, octets, offset, length, complete)) {
            return EUC_JP;
        }
        if (valid(WINDOWS_31J, octets, offset, length, complete)) {
            return WINDOWS_31J;
        }
        return WINDOWS_1252;
    }

    private static boolean valid(Charset charset, byte[] octets, int offset, int length, boolean complete) {
        CharsetDecoder decoder = charset.newDecoder();
        ByteBuffer in = ByteBuffer.wrap(octets, offset, length);
        CharBuffer out = CharBuffer.allocate(length + 1);
        CoderResult result = decoder.decode(in, out, complete);
        if (result.isError()) {
            return false;
        }
        // an incomplete character at the very end of a sample that stops early is no evidence against the charset
        return complete ? !in.hasRemaining() : in.remaining() < 4;
    }
}
