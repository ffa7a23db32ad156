package dev.hato.tls;

import java.io.Serial;

/**
 * Any TLS misconfiguration or unusable key material. The message is one line an operator can act on, since it is
 * what Hato prints when it refuses to start.
 */
public final class TlsException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    public TlsException(String message) {
        super(message);
    }

    public TlsException(String message, Throwable cause) {
        super(message, cause);
    }
}
