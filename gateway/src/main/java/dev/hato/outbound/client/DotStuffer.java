package dev.hato.outbound.client;

import java.nio.ByteBuffer;

/**
 * Turns message bytes into DATA content (RFC 5321 §4.5.2): a period at the start of a line is doubled, and the
 * end is {@code CRLF . CRLF} (with a CRLF added first when the message does not end in one). A push encoder: one
 * per message, fed chunk by chunk, never holding more than the chunk it is given.
 */
public final class DotStuffer {

    /** Whether the next byte starts a line (true at the very beginning: the first line may start with a dot). */
    private boolean lineStart = true;
    private boolean afterCr;

    /** The stuffed form of {@code chunk} (the same buffer when nothing needed doubling). */
    public ByteBuffer encode(ByteBuffer chunk) {
        ByteBuffer in = chunk.duplicate();
        int dots = 0;
        boolean start = lineStart;
        boolean cr = afterCr;
        for (int i = in.position(); i < in.limit(); i++) {
            byte b = in.get(i);
            if (b == '.' && start) {
                dots++;
            }
            start = b == '\n' && cr;
            cr = b == '\r';
        }
        if (dots == 0) {
            lineStart = start;
            afterCr = cr;
            return in;
        }
        ByteBuffer out = ByteBuffer.allocate(in.remaining() + dots);
        for (int i = in.position(); i < in.limit(); i++) {
            byte b = in.get(i);
            if (b == '.' && lineStart) {
                out.put((byte) '.');
            }
            out.put(b);
            lineStart = b == '\n' && afterCr;
            afterCr = b == '\r';
        }
        return out.flip();
    }

    /** The terminator: {@code .CRLF} after a complete line, else {@code CRLF.CRLF}. */
    public ByteBuffer end() {
        byte[] end = lineStart ? new byte[] {'.', '\r', '\n'} : new byte[] {'\r', '\n', '.', '\r', '\n'};
        return ByteBuffer.wrap(end);
    }
}
