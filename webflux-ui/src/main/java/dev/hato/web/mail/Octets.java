package dev.hato.web.mail;

import java.nio.ByteBuffer;

/** The store hands out shared buffers: their octets are read from a duplicate, the buffer itself left as it was. */
final class Octets {

    private Octets() { }

    /** A copy of the remaining octets of {@code buffer}, whose position does not move. */
    static byte[] of(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] octets = new byte[copy.remaining()];
        copy.get(octets);
        return octets;
    }
}
