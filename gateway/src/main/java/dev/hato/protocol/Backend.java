package dev.hato.protocol;

import reactor.core.publisher.Mono;

/**
 * A connection to another server that a session logs in to, line by line, before it hands the client over with
 * {@link Action.Splice}. Lines are text without their CRLF; a server that closes, sends a line longer than the
 * connector's limit or stays silent past its timeout fails the pending read, and the connection is closed.
 */
public interface Backend {

    /** The server's next line. */
    Mono<String> readLine();

    /** Sends {@code line} and CRLF. */
    Mono<Void> writeLine(String line);

    /**
     * Starts TLS once the server agreed to STARTTLS or STLS, checking its certificate as the connector was told;
     * fails when the server had already sent more (it could have been injected in plain text).
     */
    Mono<Void> startTls();

    /** Closes the connection, spliced or not (the client's then closes too); nothing when it is closed already. */
    void close();

    /** Runs {@code action} once the connection is closed (at once when it is already). */
    void whenClosed(Runnable action);
}
