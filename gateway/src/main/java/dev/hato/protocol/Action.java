package dev.hato.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** What a protocol session asks the edge to do, in order. */
public sealed interface Action permits Action.Write, Action.StartTls, Action.Close {

    /** Bytes to send. Replies are flushed when the session has consumed all input it was given. */
    record Write(ByteBuffer bytes) implements Action { }

    /**
     * Switch the connection to TLS (RFC 3207 §4, RFC 2595 §4): install TLS, send {@code reply} in plain text as the
     * last plain-text bytes, and drop whatever the client pipelined after the command.
     */
    record StartTls(ByteBuffer reply) implements Action { }

    /** Flush what was written, then close the connection. */
    record Close() implements Action { }

    static Write line(String text) {
        return new Write(ByteBuffer.wrap((text + "\r\n").getBytes(StandardCharsets.UTF_8)));
    }

    static Close close() {
        return new Close();
    }
}
