package dev.hato.dkim;

import java.security.MessageDigest;

/**
 * Where a body hash writes its canonical octets: they are counted, and the first {@code limit} of them (the l= tag,
 * RFC 6376 §3.5) go into a SHA-256 through a small buffer.
 */
final class CanonicalBody {

    private final MessageDigest digest = DkimAlgorithm.sha256();
    private final byte[] out = new byte[8192];
    private int used;
    /** How many canonical octets are hashed at most; the rest is only counted. */
    private final long limit;
    /** Every canonical octet, hashed or not. */
    private long length;

    CanonicalBody(long limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative");
        }
        this.limit = limit;
    }

    void write(byte b) {
        if (length++ >= limit) {
            return;
        }
        if (used == out.length) {
            digest.update(out, 0, used);
            used = 0;
        }
        out[used++] = b;
    }

    long length() {
        return length;
    }

    /** The SHA-256 of what was hashed; the end of this body. */
    byte[] digest() {
        digest.update(out, 0, used);
        used = 0;
        return digest.digest();
    }
}
