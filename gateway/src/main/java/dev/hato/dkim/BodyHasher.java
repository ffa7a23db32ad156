package dev.hato.dkim;

import java.nio.ByteBuffer;

/** A DKIM body hash fed the body as it arrives: relaxed ({@link RelaxedBodyHash}) or simple ({@link SimpleBodyHash}). */
interface BodyHasher {

    /** The next octets of the body. */
    void update(ByteBuffer chunk);

    /** The hash of the canonical body (up to its limit, l=). */
    byte[] finish();

    /** How many octets of canonical body there were (for l=). */
    long canonicalLength();
}
