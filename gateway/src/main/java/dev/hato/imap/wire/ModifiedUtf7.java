package dev.hato.imap.wire;

import java.nio.charset.StandardCharsets;

/**
 * Mailbox names in modified UTF-7 (RFC 3501 §5.1.3): printable US-ASCII stands for itself except "&amp;", which is
 * "&amp;-"; everything else is UTF-16 in modified BASE64 (',' for '/', no padding) between "&amp;" and "-".
 */
public final class ModifiedUtf7 {

    private static final char[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,".toCharArray();
    private static final int[] VALUES = new int[128];

    static {
        java.util.Arrays.fill(VALUES, -1);
        for (int i = 0; i < ALPHABET.length; i++) {
            VALUES[ALPHABET[i]] = i;
        }
    }

    private ModifiedUtf7() {
    }

    /** Encodes a mailbox name for the wire. */
    public static String encode(String name) {
        StringBuilder out = new StringBuilder(name.length() + 8);
        int i = 0;
        while (i < name.length()) {
            char ch = name.charAt(i);
            if (ch >= 0x20 && ch <= 0x7E) {
                out.append(ch == '&' ? "&-" : String.valueOf(ch));
                i++;
                continue;
            }
            int start = i;
            while (i < name.length() && (name.charAt(i) < 0x20 || name.charAt(i) > 0x7E)) {
                i++;
            }
            byte[] utf16 = name.substring(start, i).getBytes(StandardCharsets.UTF_16BE);
            out.append('&');
            int bits = 0;
            int buffer = 0;
            for (byte b : utf16) {
                buffer = (buffer << 8) | (b & 0xFF);
                bits += 8;
                while (bits >= 6) {
                    bits -= 6;
                    out.append(ALPHABET[(buffer >> bits) & 0x3F]);
                }
            }
            if (bits > 0) {
                out.append(ALPHABET[(buffer << (6 - bits)) & 0x3F]);
            }
            out.append('-');
        }
        return out.toString();
    }

    /**
     * Decodes a mailbox name from the wire.
     *
     * @throws IllegalArgumentException when the name is not valid modified UTF-7: a non-printable or non-ASCII
     *     character, an unterminated or badly padded shift, a shift encoding only printable ASCII (§5.1.3 requires
     *     those to represent themselves), two adjacent shifts, or broken UTF-16
     */
    public static String decode(String wire) {
        StringBuilder out = new StringBuilder(wire.length());
        int i = 0;
        boolean afterShift = false;
        while (i < wire.length()) {
            char ch = wire.charAt(i);
            if (ch < 0x20 || ch > 0x7E) {
                throw new IllegalArgumentException("not modified UTF-7: non-printable character at " + i);
            }
            if (ch != '&') {
                out.append(ch);
                i++;
                afterShift = false;
                continue;
            }
            int end = wire.indexOf('-', i + 1);
            if (end < 0) {
                throw new IllegalArgumentException("not modified UTF-7: unterminated shift at " + i);
            }
            if (end == i + 1) {
                out.append('&');
                i = end + 1;
                afterShift = false;
                continue;
            }
            if (afterShift) {
                throw new IllegalArgumentException("not modified UTF-7: adjacent shifts at " + i);
            }
            out.append(decodeShift(wire, i + 1, end));
            i = end + 1;
            afterShift = true;
        }
        return out.toString();
    }

    private static String decodeShift(String wire, int from, int to) {
        byte[] bytes = new byte[(to - from) * 6 / 8];
        int n = 0;
        int bits = 0;
        int buffer = 0;
        for (int i = from; i < to; i++) {
            char ch = wire.charAt(i);
            int value = ch < 128 ? VALUES[ch] : -1;
            if (value < 0) {
                throw new IllegalArgumentException("not modified UTF-7: '" + ch + "' in a shift");
            }
            buffer = (buffer << 6) | value;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                bytes[n++] = (byte) (buffer >> bits);
            }
        }
        if (bits >= 6 || (buffer & ((1 << bits) - 1)) != 0 || n % 2 != 0) {
            throw new IllegalArgumentException("not modified UTF-7: bad padding in a shift");
        }
        StringBuilder text = new StringBuilder(n / 2);
        for (int i = 0; i < n; i += 2) {
            char ch = (char) (((bytes[i] & 0xFF) << 8) | (bytes[i + 1] & 0xFF));
            if (ch >= 0x20 && ch <= 0x7E) {
                throw new IllegalArgumentException("not modified UTF-7: printable ASCII in a shift");
            }
            text.append(ch);
        }
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (Character.isHighSurrogate(ch)) {
                if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    throw new IllegalArgumentException("not modified UTF-7: unpaired surrogate");
                }
                i++;
            } else if (Character.isLowSurrogate(ch)) {
                throw new IllegalArgumentException("not modified UTF-7: unpaired surrogate");
            }
        }
        return text.toString();
    }
}
