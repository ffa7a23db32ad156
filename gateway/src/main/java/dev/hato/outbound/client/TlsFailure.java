package dev.hato.outbound.client;

/**
 * TLS could not be started after the server agreed to STARTTLS: the handshake failed, or the server sent
 * something else or hung up. Under an opportunistic policy the caller may try again without TLS.
 */
public final class TlsFailure extends RuntimeException {
    public TlsFailure(String host, Throwable cause) {
        super("TLS with " + host + " failed: " + (cause.getMessage() == null ? cause.getClass().getSimpleName()
                : cause.getMessage()), cause);
    }
}
