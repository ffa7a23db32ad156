package dev.hato.store.audit;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One login attempt, as the audit log keeps it; or a logged-in sender reaching a sending limit
 * ({@link Result#SEND_LIMITED}).
 *
 * @param at        when the attempt was made; kept to the microsecond, as PostgreSQL stores it
 * @param protocol  {@code smtp}, {@code pop3}, {@code imap}, {@code http}, ...
 * @param clientIp  the client's address as the server saw it
 * @param authId    the login exactly as typed (an auth ID, an address by mistake, or a guess), at most
 *                  {@value #MAX_AUTH_ID_LENGTH} characters: longer ones are truncated
 * @param result    what the attempt was answered with
 * @param accountId the account the attempt was for, when known (always for a success); null otherwise
 */
public record AuthEvent(Instant at, String protocol, String clientIp, String authId, Result result,
                        @Nullable Long accountId) {

    public static final int MAX_AUTH_ID_LENGTH = 255;

    public AuthEvent {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(result, "result");
        at = at.truncatedTo(ChronoUnit.MICROS);
        protocol = clean(Objects.requireNonNull(protocol, "protocol"));
        clientIp = clean(Objects.requireNonNull(clientIp, "clientIp"));
        authId = clean(Objects.requireNonNull(authId, "authId"));
    }

    /** The outcome of an attempt; {@link #code()} is the value stored and printed. */
    public enum Result {
        /** The password was right. */
        SUCCESS,
        /** Wrong auth ID or password. */
        REJECTED,
        /** The credential source could not answer (outage, timeout, open circuit). */
        UNAVAILABLE,
        /** The client address had too many failures; answered without checking the password. */
        THROTTLED,
        /** The auth ID had too many failures; answered without checking the password. */
        LOCKED,
        /**
         * Not a login: a logged-in sender reached a sending limit (messages or recipients an hour, of the account or
         * of its client address); recorded once per limit and window, with the login of the session.
         */
        SEND_LIMITED;

        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Result ofCode(String code) {
            return valueOf(code.toUpperCase(Locale.ROOT));
        }
    }

    /**
     * Whatever a client typed must be storable: PostgreSQL text cannot hold NUL (one such row would fail its whole
     * batch), and the column holds at most {@value #MAX_AUTH_ID_LENGTH} characters (never half a surrogate pair).
     */
    private static String clean(String value) {
        String text = value.indexOf('\0') >= 0 ? value.replace('\0', '\uFFFD') : value;
        if (text.length() <= MAX_AUTH_ID_LENGTH) {
            return text;
        }
        int end = MAX_AUTH_ID_LENGTH;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end);
    }
}
