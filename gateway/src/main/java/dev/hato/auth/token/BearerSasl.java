package dev.hato.auth.token;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** Decodes the initial client responses of SASL OAUTHBEARER (RFC 7628 §3.1) and XOAUTH2. */
public final class BearerSasl {

    /** {@code user} is the authorization identity the client named (may be empty); {@code token} the bearer token. */
    public record Response(String user, String token) { }

    /**
     * RFC 7628 §3.2.3: after a failure the server sends this error (base64 in the protocol's challenge), the client
     * answers with a single ^A (or an empty line for XOAUTH2), and the server then fails the exchange.
     */
    public static final String ERROR_CHALLENGE = Base64.getEncoder().encodeToString(
            "{\"status\":\"invalid_token\",\"schemes\":\"bearer\"}".getBytes(StandardCharsets.US_ASCII));

    private BearerSasl() { }

    /** {@code n,a=user,^Ahost=...^Aport=...^Aauth=Bearer token^A^A}; empty when malformed. */
    public static Optional<Response> oauthBearer(String base64) {
        String message = decode(base64);
        return message == null ? Optional.empty() : oauthBearerMessage(message);
    }

    /** The same, for a response already decoded from base64. */
    public static Optional<Response> oauthBearerMessage(String message) {
        int headerEnd = message.indexOf('\u0001');
        if (headerEnd < 0) {
            return Optional.empty();
        }
        // gs2-header = gs2-cbind-flag "," [ authzid ] ","; channel binding is not supported ("n" or "y").
        String[] gs2 = message.substring(0, headerEnd).split(",", -1);
        if (gs2.length != 3 || !(gs2[0].equals("n") || gs2[0].equals("y")) || !gs2[2].isEmpty()) {
            return Optional.empty();
        }
        if (!gs2[1].isEmpty() && !gs2[1].startsWith("a=")) {
            return Optional.empty();
        }
        // RFC 5801 §4: "=2C" and "=3D" encode "," and "=" in the authzid.
        String user = gs2[1].isEmpty() ? "" : gs2[1].substring(2).replace("=2C", ",").replace("=3D", "=");
        return bearer(message.substring(headerEnd + 1), "auth").map(token -> new Response(user, token));
    }

    /** {@code user=someone^Aauth=Bearer token^A^A}; empty when malformed. */
    public static Optional<Response> xoauth2(String base64) {
        String message = decode(base64);
        return message == null ? Optional.empty() : xoauth2Message(message);
    }

    /** The same, for a response already decoded from base64. */
    public static Optional<Response> xoauth2Message(String message) {
        if (!message.startsWith("user=")) {
            return Optional.empty();
        }
        int userEnd = message.indexOf('\u0001');
        if (userEnd < 0) {
            return Optional.empty();
        }
        String user = message.substring(5, userEnd);
        return bearer(message.substring(userEnd + 1), "auth").map(token -> new Response(user, token));
    }

    private static Optional<String> bearer(String pairs, String key) {
        if (!pairs.endsWith("\u0001\u0001") && !pairs.endsWith("\u0001")) {
            return Optional.empty();
        }
        for (String pair : pairs.split("\u0001")) {
            if (pair.startsWith(key + "=")) {
                String value = pair.substring(key.length() + 1);
                // RFC 6750 §2.1: the scheme is case-insensitive.
                if (value.length() > 7 && value.substring(0, 7).equalsIgnoreCase("Bearer ")) {
                    return Optional.of(value.substring(7).trim());
                }
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static @org.jspecify.annotations.Nullable String decode(String base64) {
        try {
            return new String(Base64.getDecoder().decode(base64.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
