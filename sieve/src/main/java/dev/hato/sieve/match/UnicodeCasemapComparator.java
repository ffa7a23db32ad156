package dev.hato.sieve.match;

import dev.hato.sieve.Budget;

/**
 * i;unicode-casemap (RFC 5051 §2): each character is replaced by its titlecase mapping (the simple one of
 * UnicodeData.txt, as {@link Character#toTitleCase(int)} gives it, locale-free), then by its full compatibility
 * decomposition (NFKD of that one character); the results are compared as i;octet compares. So "ä" equals "Ä" (both
 * "A" + U+0308) and "ﬁ" equals "FI", but "ß" does not equal "SS": its titlecase mapping is itself.
 */
final class UnicodeCasemapComparator implements Comparator {

    static final String NAME = "i;unicode-casemap";
    static final UnicodeCasemapComparator INSTANCE = new UnicodeCasemapComparator();

    private UnicodeCasemapComparator() {
    }

    /** RFC 5051 §2 steps 1 and 2 for one character. */
    static int[] map(int c) {
        if (c < 0x80) {
            // ASCII: titlecase is upper case, and NFKD leaves it alone.
            return new int[] {AsciiCasemapComparator.upper(c)};
        }
        String title = new String(Character.toChars(Character.toTitleCase(c)));
        return Folded.nfkd(title).codePoints().toArray();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean substringSupported() {
        return true;
    }

    @Override
    public boolean equal(String value, String key, Budget budget) {
        return compare(value, key, budget) == 0;
    }

    @Override
    public boolean contains(String value, String key, Budget budget) {
        Meter meter = new Meter(budget);
        return Folded.contains(Folded.of(value, this, meter), Folded.of(key, this, meter), meter);
    }

    @Override
    public int compare(String value, String key, Budget budget) {
        Meter meter = new Meter(budget);
        return Folded.compare(Folded.of(value, this, meter), Folded.of(key, this, meter), meter);
    }

    @Override
    public String toString() {
        return NAME;
    }
}
