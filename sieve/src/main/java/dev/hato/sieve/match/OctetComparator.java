package dev.hato.sieve.match;

import dev.hato.sieve.Budget;

/**
 * i;octet (RFC 4790 §9.3): the octets of the UTF-8 form compared as they are. On Java strings this is the code points
 * compared as they are: equal octets are equal code points, and UTF-8 orders as code points do.
 */
final class OctetComparator implements Comparator {

    static final String NAME = "i;octet";
    static final OctetComparator INSTANCE = new OctetComparator();

    private OctetComparator() {
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
        Meter meter = new Meter(budget);
        if (value.length() != key.length()) {
            return false;
        }
        meter.ticks(value.length());
        return value.equals(key);
    }

    @Override
    public boolean contains(String value, String key, Budget budget) {
        return Chars.contains(value, key, false, new Meter(budget));
    }

    @Override
    public int compare(String value, String key, Budget budget) {
        return Chars.compare(value, key, false, new Meter(budget));
    }

    @Override
    public String toString() {
        return NAME;
    }
}
