package dev.hato.message;

import java.util.Objects;

/**
 * Which of the {@link MessageLimits} a message broke, found by the {@link MessageParser} as the message passed the
 * door, and a sentence that says so for the reply (SMTP {@code 554 5.6.0} or {@code 552 5.3.4}, IMAP {@code NO
 * [LIMIT]}).
 */
public record LimitBreach(Kind kind, String text) {

    /** The limits of {@link MessageLimits}, one each. */
    public enum Kind { PARTS, DEPTH, HEADER_FIELDS, HEADER_SIZE, HEADER_LINE }

    public LimitBreach {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(text, "text");
    }
}
