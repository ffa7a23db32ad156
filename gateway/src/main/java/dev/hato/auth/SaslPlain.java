package dev.hato.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** RFC 4616 PLAIN: {@code [authzid] NUL authcid NUL passwd}, base64-encoded on the wire. */
public final class SaslPlain {

    /** The decoded message; {@code authzid} is empty when the client did not ask to act as someone else. */
    public record Message(String authzid, String authcid, String password) { }

    private SaslPlain() { }

    /** Empty when the response is not valid base64 or not a PLAIN message. */
    public static Optional<Message> decode(String base64) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
        return parse(raw);
    }

    /** The message of an already decoded response; empty when it is not a PLAIN message. */
    public static Optional<Message> parse(byte[] raw) {
        String text = new String(raw, StandardCharsets.UTF_8);
        int first = text.indexOf('\0');
        int second = first < 0 ? -1 : text.indexOf('\0', first + 1);
        if (first < 0 || second < 0 || text.indexOf('\0', second + 1) >= 0) {
            return Optional.empty();
        }
        String authcid = text.substring(first + 1, second);
        if (authcid.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Message(text.substring(0, first), authcid, text.substring(second + 1)));
    }
}
