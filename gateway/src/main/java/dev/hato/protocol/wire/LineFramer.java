package dev.hato.protocol.wire;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Cuts command lines out of the byte stream of one SMTP or POP3 connection. One instance per connection, plain
 * state, no locks: the caller pushes whatever bytes arrived and calls {@link #next(ByteBuffer)} until it returns
 * {@link Decoded#NEED_MORE}.
 *
 * <p>A line ends with CRLF (RFC 5321 §2.3.8, RFC 1939 §3). A bare LF also ends a command line, as deployed clients
 * send it and every common server accepts it; a CR right before that LF is stripped. A CR anywhere else stays in
 * the line for the grammar to reject. Message content is framed by other decoders, which are strict about CRLF.
 *
 * <p>A line longer than the limit is discarded while it arrives, never buffering more than the limit, and reported
 * once as {@link Decoded.Failure.Kind#LINE_TOO_LONG} when its LF arrives; framing then carries on with the next line,
 * so the session can answer "500 Line too long" (RFC 5321 §4.5.3.1.4) and keep the connection.
 */
public final class LineFramer {

    private static final int INITIAL_CAPACITY = 256;

    private final int maxLineLength;
    /** The partial line, up to {@code maxLineLength + 1} octets: the limit plus the CR of a CRLF split by a read. */
    private byte[] line;
    private int length;
    /** Inside a line that is already too long: drop bytes up to its LF. */
    private boolean discarding;

    /**
     * @param maxLineLength the longest accepted line in octets, excluding the line ending
     */
    public LineFramer(int maxLineLength) {
        if (maxLineLength < 1 || maxLineLength > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("maxLineLength out of range: " + maxLineLength);
        }
        this.maxLineLength = maxLineLength;
        this.line = new byte[Math.min(INITIAL_CAPACITY, maxLineLength + 1)];
    }

    /**
     * Consumes bytes of {@code in} up to and including the next LF and returns the line they complete (or the
     * failure of an overlong line). When {@code in} holds no LF, consumes all of it, keeps the partial line and
     * returns {@link Decoded#NEED_MORE}. Bytes after a returned line stay in {@code in}.
     */
    public Decoded next(ByteBuffer in) {
        int start = in.position();
        int limit = in.limit();
        int lf = indexOfLineFeed(in, start, limit);
        int end = lf < 0 ? limit : lf;
        if (!discarding) {
            append(in, start, end);
        }
        in.position(lf < 0 ? limit : lf + 1);
        if (lf < 0) {
            return Decoded.NEED_MORE;
        }
        if (discarding) {
            discarding = false;
            return tooLong();
        }
        int n = length;
        // RFC 5321 §2.3.8: CRLF ends the line; the CR is not part of it.
        if (n > 0 && line[n - 1] == '\r') {
            n--;
        }
        length = 0;
        if (n > maxLineLength) {
            // Exactly one octet over the limit and no CR to strip: still too long.
            return tooLong();
        }
        return new Decoded.Line(Arrays.copyOf(line, n));
    }

    /**
     * Drops any partially received line, including an overlong one being discarded. Used at STARTTLS / STLS: bytes a
     * client pipelined after the command must not be read as if they had come over TLS (RFC 3207 §4.2, RFC 2595 §4).
     */
    public void reset() {
        length = 0;
        discarding = false;
        if (line.length > INITIAL_CAPACITY) {
            line = new byte[Math.min(INITIAL_CAPACITY, maxLineLength + 1)];
        }
    }

    private Decoded tooLong() {
        return new Decoded.Failure(Decoded.Failure.Kind.LINE_TOO_LONG,
                "Line longer than " + maxLineLength + " octets");
    }

    private void append(ByteBuffer in, int from, int to) {
        int count = to - from;
        if (count == 0) {
            return;
        }
        int needed = length + count;
        if (needed > maxLineLength + 1) {
            // Even with a CR to strip, the line is over the limit: forget what we kept and skip the rest of it.
            length = 0;
            discarding = true;
            return;
        }
        if (needed > line.length) {
            int capacity = (int) Math.min((long) maxLineLength + 1, Math.max(needed, 2L * line.length));
            line = Arrays.copyOf(line, capacity);
        }
        in.get(from, line, length, count);
        length = needed;
    }

    /** The index of the first LF in {@code in[from, to)} (absolute indexes, position untouched), or -1. */
    public static int indexOfLineFeed(ByteBuffer in, int from, int to) {
        if (in.hasArray()) {
            byte[] array = in.array();
            int offset = in.arrayOffset();
            for (int i = from; i < to; i++) {
                if (array[offset + i] == '\n') {
                    return i;
                }
            }
            return -1;
        }
        for (int i = from; i < to; i++) {
            if (in.get(i) == '\n') {
                return i;
            }
        }
        return -1;
    }
}
