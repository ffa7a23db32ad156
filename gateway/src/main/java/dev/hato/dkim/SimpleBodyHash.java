package dev.hato.dkim;

import java.nio.ByteBuffer;

/**
 * The body hash with the "simple" body canonicalization of RFC 6376 §3.4.3, streamed: the body as it is, except
 * that every CRLF at its end is dropped and one CRLF written (an empty body is one CRLF). Trailing CRLFs are only
 * counted until something follows them. {@code limit} is the l= tag: only that many canonical octets are hashed.
 */
final class SimpleBodyHash implements BodyHasher {

    private final CanonicalBody body;
    private boolean pendingCr;
    private long pendingCrlfs;

    SimpleBodyHash(long limit) {
        this.body = new CanonicalBody(limit);
    }

    @Override
    public void update(ByteBuffer chunk) {
        for (int i = chunk.position(), end = chunk.limit(); i < end; i++) {
            byte b = chunk.get(i);
            if (pendingCr) {
                pendingCr = false;
                if (b == '\n') {
                    pendingCrlfs++;
                    continue;
                }
                flushCrlfs();
                write((byte) '\r');
            }
            if (b == '\r') {
                pendingCr = true;
            } else {
                flushCrlfs();
                write(b);
            }
        }
    }

    private void flushCrlfs() {
        for (; pendingCrlfs > 0; pendingCrlfs--) {
            write((byte) '\r');
            write((byte) '\n');
        }
    }

    private void write(byte b) {
        body.write(b);
    }

    @Override
    public byte[] finish() {
        if (pendingCr) {
            pendingCr = false;
            flushCrlfs();
            write((byte) '\r');
        }
        pendingCrlfs = 0;
        write((byte) '\r');
        write((byte) '\n');
        return body.digest();
    }

    @Override
    public long canonicalLength() {
        return body.length();
    }
}
