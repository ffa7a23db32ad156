package dev.hato.auth.scram;

/** RFC 5802 §7 server-error-value: what a failed exchange says in its {@code e=} message. */
public enum ScramError {
    INVALID_ENCODING("invalid-encoding"),
    EXTENSIONS_NOT_SUPPORTED("extensions-not-supported"),
    INVALID_PROOF("invalid-proof"),
    CHANNEL_BINDINGS_DONT_MATCH("channel-bindings-dont-match"),
    SERVER_DOES_SUPPORT_CHANNEL_BINDING("server-does-support-channel-binding"),
    CHANNEL_BINDING_NOT_SUPPORTED("channel-binding-not-supported"),
    UNSUPPORTED_CHANNEL_BINDING_TYPE("unsupported-channel-binding-type"),
    /** Never sent by Hato: RFC 5802 §9, an unknown user fails like a wrong password (invalid-proof). */
    UNKNOWN_USER("unknown-user"),
    INVALID_USERNAME_ENCODING("invalid-username-encoding"),
    NO_RESOURCES("no-resources"),
    OTHER_ERROR("other-error");

    private final String value;

    ScramError(String value) {
        this.value = value;
    }

    /** The value as sent, e.g. {@code invalid-proof}. */
    public String value() {
        return value;
    }

    /** The server-final-message that reports this error: {@code e=<value>}. */
    public String message() {
        return "e=" + value;
    }
}
