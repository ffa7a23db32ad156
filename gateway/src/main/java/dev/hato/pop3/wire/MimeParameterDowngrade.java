package dev.hato.pop3.wire;

import dev.hato.message.MimeHeaderValue;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Rewrites a UTF-8 {@code Content-Type} or {@code Content-Disposition} value into ASCII for a POP3 client not in UTF-8
 * mode (RFC 6856 §2.1): the type stays, ASCII parameters stay, and a parameter whose value is not ASCII is carried as
 * an RFC 2231 extended value in UTF-8 ({@code filename*=UTF-8''Gr%C3%BC%C3%9Fe.pdf}), split into RFC 2231 §3
 * continuations so that no line grows long. This is how RFC 6857 §3 treats MIME parameters; renaming the field instead
 * would take the MIME structure (type, charset, boundary) away from the client.
 */
final class MimeParameterDowngrade {

    /** Encoded characters per continuation section: with {@code "filename*12*="} a line stays under 78. */
    private static final int SECTION = 54;
    private static final String TSPECIALS = "()<>@,;:\\\"/[]?=";

    private MimeParameterDowngrade() { }

    /**
     * The value rewritten, without the field name, folded with CRLF SP between parameters; null when
     * {@code lowerName} is not Content-Type or Content-Disposition, or the value does not parse.
     */
    static @Nullable String downgrade(String lowerName, String value) {
        MimeHeaderValue parsed = switch (lowerName) {
            case "content-type" -> MimeHeaderValue.contentType(value);
            case "content-disposition" -> MimeHeaderValue.disposition(value);
            default -> null;
        };
        if (parsed == null || !token(parsed.primary()) || parsed.subtype() != null && !token(parsed.subtype())) {
            return null;
        }
        int kept = 0;
        for (MimeHeaderValue.Parameter parameter : parsed.decodedParameters()) {
            kept += nonAscii(parameter.value());
        }
        if (kept < nonAscii(value)) {
            return null; // a malformed parameter ended the list, or the text sits outside any value: not taken apart
        }
        StringBuilder out = new StringBuilder(parsed.primary().toLowerCase(Locale.ROOT));
        if (parsed.subtype() != null) {
            out.append('/').append(parsed.subtype().toLowerCase(Locale.ROOT));
        }
        for (MimeHeaderValue.Parameter parameter : parsed.decodedParameters()) {
            String name = parameter.attribute();
            if (!token(name)) {
                return null;
            }
            String text = parameter.value();
            if (ascii(text)) {
                out.append(";\r\n ").append(name).append('=').append(token(text) ? text : quoted(text));
            } else {
                extended(out, name, text);
            }
        }
        return out.toString();
    }

    /** RFC 2231 §4 {@code name*=UTF-8''%XX...}, in §3 sections {@code name*0*=}, {@code name*1*=} when long. */
    private static void extended(StringBuilder out, String name, String text) {
        String encoded = "UTF-8''" + percentEncoded(text);
        if (encoded.length() <= SECTION) {
            out.append(";\r\n ").append(name).append("*=").append(encoded);
            return;
        }
        int section = 0;
        int start = 0;
        while (start < encoded.length()) {
            int end = Math.min(start + SECTION, encoded.length());
            if (end < encoded.length() && encoded.charAt(end - 1) == '%') {
                end--;
            } else if (end < encoded.length() && encoded.charAt(end - 2) == '%') {
                end -= 2; // never split a %XX
            }
            out.append(";\r\n ").append(name).append('*').append(section++).append("*=")
                    .append(encoded, start, end);
            start = end;
        }
    }

    /** RFC 2231 §7 attribute-char kept, every other octet of the UTF-8 form as %XX. */
    private static String percentEncoded(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (c > 0x20 && c < 0x7F && c != '*' && c != '\'' && c != '%' && TSPECIALS.indexOf(c) < 0) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return out.toString();
    }

    /** RFC 5322 §3.2.4 quoted-string of printable ASCII and spaces. */
    private static String quoted(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\');
            }
            out.append(c < 0x20 || c == 0x7F ? ' ' : c);
        }
        return out.append('"').toString();
    }

    /** RFC 2045 §5.1 token: printable ASCII without space and tspecials, at least one character. */
    private static boolean token(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= 0x20 || c >= 0x7F || TSPECIALS.indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    private static int nonAscii(String text) {
        int count = 0;
        for (int i = 0; i < text.length(); i++) {
            count += text.charAt(i) >= 0x80 ? 1 : 0;
        }
        return count;
    }

    private static boolean ascii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
