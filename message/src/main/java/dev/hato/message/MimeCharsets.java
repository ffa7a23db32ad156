package dev.hato.message;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
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

    /** {@link #forName} with UTF-8 for an absent or unknown name, which is what unlabelled 8-bit mail mostly is. */
    static Charset orUtf8(@Nullable String name) {
        Charset charset = forName(name);
        return charset == null ? StandardCharsets.UTF_8 : charset;
    }

    /** Octets as UTF-8 when they are valid UTF-8 (RFC 6532 headers), else as windows-1252, so nothing is lost. */
    public static String utf8OrLatin(byte[] octets, int offset, int length) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
        try {
            return decoder.decode(ByteBuffer.wrap(octets, offset, length)).toString();
        } catch (CharacterCodingException e) {
            return new String(octets, offset, length, WINDOWS_1252);
        }
    }
}
