package dev.hato.store.queue;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The SMTP envelope of a message as far as later hops need it: the reverse-path ({@code ""} for the null sender
 * {@code <>}, RFC 5321 §4.5.5), the DSN parameters of MAIL FROM (RFC 3461 §4.3 RET, §4.4 ENVID — kept in its xtext
 * form, exactly as the client wrote it, since it is passed on and reported that way), whether the message
 * was sent with SMTPUTF8 (RFC 6531) and its declared body type (RFC 6152 8BITMIME, RFC 3030 BINARYMIME).
 */
public record Envelope(String sender, @Nullable String envId, @Nullable Ret ret, boolean utf8, Body body) {

    /** RFC 3461 §4.3: how much of the message a failure DSN returns. */
    public enum Ret { FULL, HDRS }

    /** The body type MAIL FROM declared; it decides what a remote server must offer to receive it. */
    public enum Body {
        SEVEN_BIT("7BIT"), EIGHT_BIT_MIME("8BITMIME"), BINARY_MIME("BINARYMIME");

        private final String keyword;

        Body(String keyword) {
            this.keyword = keyword;
        }

        /** The keyword as written in {@code BODY=}. */
        public String keyword() {
            return keyword;
        }

        /** The body type for a {@code BODY=} value (case-insensitive), or null when there is none. */
        public static @Nullable Body of(String keyword) {
            for (Body body : values()) {
                if (body.keyword.equals(keyword.toUpperCase(Locale.ROOT))) {
                    return body;
                }
            }
            return null;
        }
    }

    /** A message accepted without any envelope detail worth keeping (tests, local tools): the null sender. */
    public static final Envelope NONE = new Envelope("", null, null, false, Body.SEVEN_BIT);

    public Envelope {
        if (envId != null && envId.length() > 100) {
            throw new IllegalArgumentException("ENVID is limited to 100 characters (RFC 3461 §4.4)");
        }
    }

    public boolean nullSender() {
        return sender.isEmpty();
    }
}
