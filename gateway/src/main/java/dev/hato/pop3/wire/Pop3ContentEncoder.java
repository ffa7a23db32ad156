package dev.hato.pop3.wire;

import java.nio.ByteBuffer;

/**
 * Encodes stored message content as the body of a RETR or TOP multi-line response, one chunk at a time, whatever the
 * chunk boundaries. One instance per response; plain state, no locks.
 *
 * <p>RFC 1939 §3 byte-stuffing: a line that starts with "." gets another "." in front. A line starts at the
 * beginning of the content and after every LF, bare LFs included, because clients that split lines on LF alone
 * would otherwise read a lone "." after a bare LF as the end of the response.
 *
 * <p>For TOP (RFC 1939 §7) only the header, the empty line that ends it, and the first {@code n} body lines are
 * emitted; an empty line is {@code CRLF} or a bare {@code LF}. Once everything TOP will send has been emitted,
 * {@link #complete()} is true and the caller can stop reading the store. A message without an empty line is all
 * header and is sent whole.
 *
 * <p>{@link #finish()} terminates the response. Content that ended with CRLF, and empty content, get ".CRLF". Any
 * other ending, including a bare LF, first gets a CRLF: the terminator must be {@code CRLF.CRLF} for every client,
 * including those that only recognise it after a CRLF; clients that split on LF alone then see one extra empty line
 * at the end, a harmless price for never hanging a strict client.
 */
public final class Pop3ContentEncoder {

    private static final int ALL = -1;

    /** Body lines to send, or {@link #ALL} for RETR. */
    private final int bodyLines;
    private boolean lineStart = true;
    private boolean inBody;
    /** Octets of the current line so far (TOP header only: an empty line is CRLF or LF). */
    private int lineLength;
    private byte lineFirst;
    private int bodyLinesSent;
    private boolean complete;
    private boolean finished;
    private long emitted;
    private byte last;
    private byte beforeLast;

    private Pop3ContentEncoder(int bodyLines) {
        this.bodyLines = bodyLines;
    }

    /** An encoder for the whole message (RFC 1939 §5 RETR). */
    public static Pop3ContentEncoder retr() {
        return new Pop3ContentEncoder(ALL);
    }

    /** An encoder for the header and the first {@code bodyLines} body lines (RFC 1939 §7 TOP). */
    public static Pop3ContentEncoder top(int bodyLines) {
        if (bodyLines < 0) {
            throw new IllegalArgumentException("bodyLines must not be negative: " + bodyLines);
        }
        return new Pop3ContentEncoder(bodyLines);
    }

    /**
     * Consumes all of {@code chunk} and returns its encoded form, ready to write (position 0, possibly empty). Once
     * {@link #complete()} is true, content is consumed and dropped.
     */
    public ByteBuffer encode(ByteBuffer chunk) {
        if (finished) {
            throw new IllegalStateException("finish() was called");
        }
        int remaining = chunk.remaining();
        // A stuffed dot needs a "." right after an LF (or at the start), so at most one extra octet per two.
        byte[] out = new byte[remaining + remaining / 2 + 1];
        int n = 0;
        while (chunk.hasRemaining() && !complete) {
            byte b = chunk.get();
            if (lineStart && b == '.') {
                // RFC 1939 §3: "the line is byte-stuffed by pre-pending the termination octet to that line".
                out[n++] = '.';
            }
            out[n++] = b;
            track(b);
        }
        chunk.position(chunk.limit());
        if (n > 0) {
            emitted += n;
            beforeLast = n > 1 ? out[n - 2] : last;
            last = out[n - 1];
        }
        return ByteBuffer.wrap(out, 0, n).slice();
    }

    /** Whether TOP has emitted everything it will; always false for RETR. */
    public boolean complete() {
        return complete;
    }

    /** Returns the end of the response: a CRLF if the content did not end with one, then ".CRLF". */
    public ByteBuffer finish() {
        finished = true;
        boolean endsWithCrLf = emitted == 0 || emitted >= 2 && beforeLast == '\r' && last == '\n';
        byte[] end = endsWithCrLf ? new byte[] {'.', '\r', '\n'} : new byte[] {'\r', '\n', '.', '\r', '\n'};
        return ByteBuffer.wrap(end);
    }

    private void track(byte b) {
        if (b != '\n') {
            if (lineLength == 0) {
                lineFirst = b;
            }
            lineLength++;
            lineStart = false;
            return;
        }
        boolean empty = lineLength == 0 || lineLength == 1 && lineFirst == '\r';
        lineLength = 0;
        lineStart = true;
        if (bodyLines == ALL) {
            return;
        }
        if (!inBody) {
            if (empty) {
                // RFC 5322 §2.1: the first empty line separates the header from the body.
                inBody = true;
                complete = bodyLines == 0;
            }
        } else if (++bodyLinesSent == bodyLines) {
            complete = true;
        }
    }
}
