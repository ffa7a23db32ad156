package dev.hato.dkim;

import java.nio.ByteBuffer;

/**
 * One pass over a streamed message for DKIM: the header section is collected (bounded), the body is hashed with
 * relaxed canonicalization as its chunks arrive and never kept.
 */
final class CanonicalMessage {

    private final HeaderSection header;
    private final RelaxedBodyHash body = new RelaxedBodyHash();
    private byte[] bodyHash = new byte[0];

    CanonicalMessage(int maxHeaderOctets) {
        this.header = new HeaderSection(maxHeaderOctets);
    }

    /** Takes the chunk's octets from position to limit; its position is left as it was. */
    void update(ByteBuffer chunk) {
        if (header.complete()) {
            body.update(chunk);
            return;
        }
        int bodyStart = header.update(chunk);
        if (bodyStart >= 0) {
            body.update(chunk.duplicate().position(bodyStart));
        }
    }

    /** The message ended. */
    CanonicalMessage finish() {
        header.finish();
        bodyHash = body.finish();
        return this;
    }

    HeaderSection header() {
        return header;
    }

    /** The SHA-256 of the relaxed canonical body (bh=); after {@link #finish()}. */
    byte[] bodyHash() {
        return bodyHash.clone();
    }
}
