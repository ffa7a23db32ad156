package dev.hato.sieve.match;

import dev.hato.message.AsciiCasemap;
import dev.hato.sieve.Budget;

/**
 * i;ascii-casemap (RFC 4790 §9.2), Sieve's default (RFC 5228 §2.7.3): i;octet after mapping a-z to A-Z, and nothing
 * else. Never {@link String#toUpperCase()}: it is locale-dependent and maps letters outside ASCII ("ä" to "Ä", "ß" to
 * "SS"), which this collation must not ("letters outside ASCII are not treated case-insensitively").
 */
final class AsciiCasemapComparator implements Comparator {

    static final String NAME = "i;ascii-casemap";
    static final AsciiCasemapComparator INSTANCE = new AsciiCasemapComparator();

    private AsciiCasemapComparator() {
    }

    static int upper(int c) {
        return AsciiCasemap.upperAscii(c);
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
        return value.length() == key.length() && Chars.compare(value, key, true, meter) == 0;
    }

    @Override
    public boolean contains(String value, String key, Budget budget) {
        return Chars.contains(value, key, true, new Meter(budget));
    }

    @Override
    public int compare(String value, String key, Budget budget) {
        // The message module's collation (IMAP SORT, RFC 5256 §3) is this one; charge the characters it reads.
        new Meter(budget).ticks(Math.min(value.length(), key.length()));
        return AsciiCasemap.ORDER.compare(value, key);
    }

    @Override
    public String toString() {
        return NAME;
    }
}
