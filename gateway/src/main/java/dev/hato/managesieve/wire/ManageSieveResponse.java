package dev.hato.managesieve.wire;

import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Writes ManageSieve's responses (RFC 5804 §1.3, §4): {@code OK}, {@code NO} or {@code BYE}, an optional response
 * code in parentheses, an optional human-readable string; and strings themselves, quoted when they can be, else as a
 * literal ({@code {n}} CRLF octets, literal-s2c).
 */
public final class ManageSieveResponse {

    /** RFC 5804 §4: quoted = DQUOTE *1024QUOTED-CHAR DQUOTE. */
    private static final int MAX_QUOTED = 1024;

    private ManageSieveResponse() { }

    /** {@code OK [(code)] [text]} and CRLF. */
    public static String ok(@Nullable String code, @Nullable String text) {
        return response("OK", code, text);
    }

    /** {@code NO [(code)] [text]} and CRLF. */
    public static String no(@Nullable String code, @Nullable String text) {
        return response("NO", code, text);
    }

    /** {@code BYE [(code)] [text]} and CRLF: the server closes the connection after it. */
    public static String bye(@Nullable String code, @Nullable String text) {
        return response("BYE", code, text);
    }

    /**
     * {@code value} as a ManageSieve string: quoted when it is at most 1,024 octets without CR, LF or NUL (which a
     * quoted string cannot hold), else a literal, so a multi-line script or problem list goes out as it is.
     */
    public static String string(String value) {
        int octets = value.getBytes(StandardCharsets.UTF_8).length;
        if (octets <= MAX_QUOTED && value.indexOf('\r') < 0 && value.indexOf('\n') < 0 && value.indexOf('\0') < 0) {
            return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        }
        return "{" + octets + "}\r\n" + value;
    }

    private static String response(String status, @Nullable String code, @Nullable String text) {
        StringBuilder line = new StringBuilder(status);
        if (code != null) {
            line.append(" (").append(code).append(')');
        }
        if (text != null) {
            line.append(' ').append(string(text));
        }
        return line.append("\r\n").toString();
    }
}
