package dev.hato.auth;

/**
 * A credential source could not answer: the backend is down, too slow, misconfigured or answered nonsense. Never
 * means "wrong password"; callers turn it into a temporary failure.
 */
public final class CredentialSourceException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CredentialSourceException(String message) {
        super(message);
    }

    public CredentialSourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
