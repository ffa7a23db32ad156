package dev.hato.dkim;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** The "relaxed" header canonicalization of RFC 6376 §3.4.2, on the octets of one header field. */
final class RelaxedHeader {

    private RelaxedHeader() {
    }

    /**
     * {@code field} is one header field as it appears in the message (name, colon, value, continuation lines with
     * their CRLFs, without the final CRLF). The result is the lower-cased name, a colon, the unfolded value with
     * every run of whitespace turned into one SP and none at either end, and CRLF unless {@code withoutCrlf} (the
     * DKIM-Signature field itself is hashed without one, §3.7). Octets beyond ASCII (RFC 6532) pass unchanged.
     */
    static byte[] canonical(byte[] field, boolean withoutCrlf) {
        int colon = indexOf(field, (byte) ':');
        if (colon < 0) {
            throw new IllegalArgumentException("not a header field: no colon");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(field.length + 2);
        int nameEnd = colon;
        while (nameEnd > 0 && isWhitespace(field[nameEnd - 1])) {
            nameEnd--; // §3.4.2: WSP before the colon is deleted
        }
        for (int i = 0; i < nameEnd; i++) {
            byte b = field[i];
            out.write(b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b);
        }
        out.write(':');
        boolean space = false;
        boolean started = false;
        for (int i = colon + 1; i < field.length; i++) {
            byte b = field[i];
            if (b == '\r' || b == '\n') {
                continue; // unfolding: CRLF before WSP is removed, the WSP stays
            }
            if (isWhitespace(b)) {
                space = started; // leading WSP (after the colon) goes; a run inside becomes one SP; trailing goes
                continue;
            }
            if (space) {
                out.write(' ');
                space = false;
            }
            out.write(b);
            started = true;
        }
        if (!withoutCrlf) {
            out.write('\r');
            out.write('\n');
        }
        return out.toByteArray();
    }

    /** The lower-cased field name of a raw field, without trailing whitespace; null when there is no colon. */
    static @Nullable String name(byte[] field) {
        int colon = indexOf(field, (byte) ':');
        if (colon < 0) {
            return null;
        }
        int end = colon;
        while (end > 0 && isWhitespace(field[end - 1])) {
            end--;
        }
        return new String(field, 0, end, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    }

    private static int indexOf(byte[] bytes, byte wanted) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t';
    }
}
