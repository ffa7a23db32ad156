package dev.hato.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** What a protocol session asks the edge to do, in order. */
public sealed interface Action permits Action.Write, Action.StartTls, Action.Compress, Action.Splice,
        Action.Close {

    /** Bytes to send. Replies are flushed when the session has consumed all input it was given. */
    record Write(ByteBuffer bytes) implements Action { }

    /**
     * Switch the connection to TLS (RFC 3207 §4, RFC 2595 §4): install TLS, send {@code reply} in plain text as the
     * last plain-text bytes, and drop whatever the client pipelined after the command.
     */
    record StartTls(ByteBuffer reply) implements Action { }

    /**
     * Switch the connection to raw DEFLATE in both directions (RFC 4978 §3, IMAP COMPRESS=DEFLATE): send {@code reply}
     * uncompressed as the last plain bytes, then compress everything written and inflate everything read. Whatever the
     * client sent after the command and before seeing the reply is dropped (it must wait for the reply).
     */
    record Compress(ByteBuffer reply) implements Action { }

    /**
     * Hand the connection over to {@code backend}, a server the session has logged in to for the client (issue 17:
     * a person still served by the old system): send {@code reply} as the session's last words, then relay bytes
     * both ways unchanged until either side closes. Whatever the client sent after the command goes to the backend:
     * first {@code unread}, what the session had taken in and not read, then what the edge holds. The session
     * receives no more input.
     */
    record Splice(ByteBuffer reply, Backend backend, ByteBuffer unread) implements Action { }

    /** Flush what was written, then close the connection. */
    record Close() implements Action { }

    static Write line(String text) {
        return new Write(ByteBuffer.wrap((text + "\r\n").getBytes(StandardCharsets.UTF_8)));
    }

    static Close close() {
        return new Close();
    }
}
