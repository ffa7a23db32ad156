package dev.hato.smtp.command;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * The encodings of DSN parameter values: xtext (RFC 3461 §4: {@code +HH} for octets outside 33..126, {@code +}
 * and {@code =}) and, for {@code ORCPT=utf-8;...} under SMTPUTF8, utf-8-addr-xtext/unitext (RFC 6533 §3:
 * {@code \x{HHHH}} for a code point).
 */
public final class Xtext {

    private Xtext() {
    }

    /** Whether {@code value} is well-formed xtext (RFC 3461 §4, upper-case hex digits). */
    public static boolean isXtext(String value) {
        return decode(value, false) != null;
    }

    /** The decoded value, or null when malformed. {@code unicode} also accepts {@code \x{HHHH}} (RFC 6533 §3). */
    public static @Nullable String decode(String value, boolean unicode) {
        // "+HH" are octets (of UTF-8 text, RFC 6533 §3): gathered as bytes and read as UTF-8 at the end.
        ByteArrayOutputStream decoded = new ByteArrayOutputStream(value.length());
        int i = 0;
        while (i < value.length()) {
            char c = value.charAt(i);
            if (c == '+') {
                if (i + 2 >= value.length()) {
                    return null;
                }
                int hi = hex(value.charAt(i + 1));
                int lo = hex(value.charAt(i + 2));
                if (hi < 0 || lo < 0) {
                    return null;
                }
                decoded.write(hi * 16 + lo);
                i += 3;
            } else if (unicode && c == '\\' && value.startsWith("\\x{", i)) {
                int close = value.indexOf('}', i);
                if (close < 0 || close - i - 3 < 1 || close - i - 3 > 6) {
                    return null;
                }
                int codePoint = 0;
                for (int k = i + 3; k < close; k++) {
                    int digit = hex(value.charAt(k));
                    if (digit < 0) {
                        return null;
                    }
                    codePoint = codePoint * 16 + digit;
                }
                if (!Character.isValidCodePoint(codePoint)) {
                    return null;
                }
                decoded.writeBytes(new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8));
                i = close + 1;
            } else if (c >= 33 && c <= 126 && c != '=' || unicode && c >= 0x80) {
                int end = Character.isHighSurrogate(c) && i + 1 < value.length() ? i + 2 : i + 1;
                decoded.writeBytes(value.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end;
            } else {
                return null;
            }
        }
        return decoded.toString(StandardCharsets.UTF_8);
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
