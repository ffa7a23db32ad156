package dev.hato.message;

/**
 * A multipart's boundary (RFC 2046 §5.1.1) as the parser looks for it: its octets, and their hash as {@link
 * #extend} computes it, so that a line that starts with "--" is compared with each open boundary in constant time
 * (hash of its first octets, computed once per line) and octet by octet only where the hashes agree.
 */
record Boundary(byte[] octets, int hash) {

    static Boundary of(byte[] octets) {
        int hash = 0;
        for (byte octet : octets) {
            hash = extend(hash, octet);
        }
        return new Boundary(octets, hash);
    }

    /** The hash of some octets followed by {@code octet}, from the hash of those octets (0 for none). */
    static int extend(int hash, byte octet) {
        return 31 * hash + (octet & 0xFF);
    }

    int length() {
        return octets.length;
    }
}
