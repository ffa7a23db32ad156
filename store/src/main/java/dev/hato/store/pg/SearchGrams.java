package dev.hato.store.pg;

import java.util.Arrays;

/**
 * The keys of the search index (V12, ADR 0007): the distinct pairs of adjacent characters (code points) of a text in
 * search form, each as one {@code int}, {@code first * 65,536 + second} modulo 2<sup>32</sup>. That is exact for
 * pairs of the Basic Multilingual Plane; a pair with a supplementary character may share its key with another pair,
 * which only adds a candidate that the {@code strpos} recheck rejects. A text that contains a query contains every
 * pair of it, so its keys contain the query's keys. The SQL function {@code pair_grams} computes the same keys for
 * rows written without them.
 *
 * <p>Linear in the text: a bit set collects the distinct pairs of ASCII characters, an open-addressing set the
 * others, and only the distinct keys are sorted.
 */
final class SearchGrams {

    private static final int[] NONE = {};
    private static final int ASCII_PAIRS = 128 * 128;

    private SearchGrams() {
    }

    /** The distinct keys of {@code text}, ascending; none for a text of fewer than two characters. */
    static int[] of(String text) {
        if (text.length() < 2) {
            return NONE;
        }
        // Pairs of ASCII characters (most of the text of most mail) are marked in a bit set indexed by the pair
        // itself; only the other pairs go through the hash set.
        long[] ascii = new long[ASCII_PAIRS / 64];
        int asciiSize = 0;
        int[] table = new int[64];
        boolean[] used = new boolean[64];
        int size = 0;
        int previous = text.codePointAt(0);
        for (int i = Character.charCount(previous); i < text.length(); ) {
            int current = text.codePointAt(i);
            i += Character.charCount(current);
            if ((previous | current) < 0x80) {
                int pair = previous << 7 | current;
                previous = current;
                long bit = 1L << pair;
                if ((ascii[pair >>> 6] & bit) == 0) {
                    ascii[pair >>> 6] |= bit;
                    asciiSize++;
                }
                continue;
            }
            int key = (previous << 16) + current;
            previous = current;
            int mask = table.length - 1;
            int slot = mix(key) & mask;
            while (used[slot] && table[slot] != key) {
                slot = (slot + 1) & mask;
            }
            if (!used[slot]) {
                used[slot] = true;
                table[slot] = key;
                if (++size * 2 > table.length) {
                    int[] grownTable = new int[table.length * 2];
                    boolean[] grownUsed = new boolean[table.length * 2];
                    rehash(table, used, grownTable, grownUsed);
                    table = grownTable;
                    used = grownUsed;
                }
            }
        }
        int[] keys = new int[asciiSize + size];
        int n = 0;
        for (int word = 0; word < ascii.length; word++) {
            for (long bits = ascii[word]; bits != 0; bits &= bits - 1) {
                int pair = word << 6 | Long.numberOfTrailingZeros(bits);
                keys[n++] = (pair >>> 7 << 16) + (pair & 0x7F);
            }
        }
        for (int slot = 0; slot < table.length; slot++) {
            if (used[slot]) {
                keys[n++] = table[slot];
            }
        }
        Arrays.sort(keys);
        return keys;
    }

    /** The keys as a PostgreSQL array literal, for a {@code text[]} parameter cast row by row to {@code int4[]}. */
    static String literal(int[] keys) {
        StringBuilder out = new StringBuilder(keys.length * 8 + 2).append('{');
        for (int i = 0; i < keys.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(keys[i]);
        }
        return out.append('}').toString();
    }

    /** The keys as a parameter of type {@code int4[]}. */
    static Integer[] parameter(String text) {
        return Arrays.stream(of(text)).boxed().toArray(Integer[]::new);
    }

    private static void rehash(int[] table, boolean[] used, int[] into, boolean[] intoUsed) {
        int mask = into.length - 1;
        for (int slot = 0; slot < table.length; slot++) {
            if (used[slot]) {
                int at = mix(table[slot]) & mask;
                while (intoUsed[at]) {
                    at = (at + 1) & mask;
                }
                intoUsed[at] = true;
                into[at] = table[slot];
            }
        }
    }

    /** Spreads the bits of a key (Murmur3's finaliser), so that pairs differing only in high bits do not collide. */
    private static int mix(int key) {
        int h = key;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
