package dev.hato.outbound.client;

/** The remote server broke the protocol (malformed or unexpected replies); the connection is given up. */
public final class SmtpProtocolException extends RuntimeException {
    public SmtpProtocolException(String message) {
        super(message);
    }
}
