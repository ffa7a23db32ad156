package dev.hato.sieve.match;

import dev.hato.sieve.Budget;

/**
 * i;ascii-numeric (RFC 4790 §9.1): each string is the unsigned decimal number of its leading US-ASCII digits; a string
 * that does not start with a digit is positive infinity, equal to every other such string. Numbers of any length are
 * compared as digit strings (no overflow): leading zeroes dropped, the longer is the larger, else digit by digit.
 * Equality and ordering only: no substring operation, so no {@code :contains} or {@code :matches}.
 */
final class AsciiNumericComparator implements Comparator {

    static final String NAME = "i;ascii-numeric";
    static final AsciiNumericComparator INSTANCE = new AsciiNumericComparator();

    private AsciiNumericComparator() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean substringSupported() {
        return false;
    }

    @Override
    public boolean equal(String value, String key, Budget budget) {
        return compare(value, key, budget) == 0;
    }

    @Override
    public boolean contains(String value, String key, Budget budget) {
        throw new IllegalStateException(NAME + " has no substring operation (RFC 4790 §9.1)");
    }

    @Override
    public int compare(String value, String key, Budget budget) {
        Meter meter = new Meter(budget);
        int valueEnd = digitsEnd(value, meter);
        int keyEnd = digitsEnd(key, meter);
        if (valueEnd == 0 || keyEnd == 0) {
            // "strings that do not start with a digit represent positive infinity"
            return Boolean.compare(valueEnd == 0, keyEnd == 0);
        }
        int v = skipZeroes(value, valueEnd);
        int k = skipZeroes(key, keyEnd);
        int lengths = Integer.compare(valueEnd - v, keyEnd - k);
        if (lengths != 0) {
            return lengths;
        }
        for (; v < valueEnd; v++, k++) {
            meter.tick();
            if (value.charAt(v) != key.charAt(k)) {
                return Character.compare(value.charAt(v), key.charAt(k));
            }
        }
        return 0;
    }

    /** Where the leading run of '0'..'9' ends (never {@link Character#isDigit}: only US-ASCII digits count). */
    private static int digitsEnd(String s, Meter meter) {
        int i = 0;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            meter.tick();
            i++;
        }
        return i;
    }

    private static int skipZeroes(String s, int end) {
        int i = 0;
        while (i < end && s.charAt(i) == '0') {
            i++;
        }
        return i;
    }

    @Override
    public String toString() {
        return NAME;
    }
}
