package dev.hato.sieve.match;

import java.text.Normalizer;
import java.util.Arrays;

/**
 * A string as a comparator sees it: the code points after the comparator's mapping ({@link #points}), grouped in
 * units, one per character of the source. "?" takes one unit and every wildcard starts and ends between units, so
 * that a capture is always a substring of the source (RFC 5229 §3.2). For i;octet and i;ascii-casemap a unit is one
 * code point; for i;unicode-casemap one character can map to several (RFC 5051: "ﬁ" is "FI", "ä" is "A" + U+0308).
 */
final class Folded {

    private final String source;
    private final int[] points;
    private final int length;
    /** Index in {@link #points} where each unit starts, units + 1 entries; null when one point is one unit. */
    private final int[] unitStart;
    /** Unit starting at each index of {@link #points}, or -1 inside a unit; null when one point is one unit. */
    private final int[] unitAt;
    /** Index in the source where each unit starts, units + 1 entries. */
    private final int[] origin;
    private final int units;

    private Folded(String source, int[] points, int length, int[] unitStart, int[] unitAt, int[] origin, int units) {
        this.source = source;
        this.points = points;
        this.length = length;
        this.unitStart = unitStart;
        this.unitAt = unitAt;
        this.origin = origin;
        this.units = units;
    }

    /** {@code s} mapped code point by code point as {@code comparator} maps it; charged to {@code meter}. */
    static Folded of(String s, Comparator comparator, Meter meter) {
        boolean unicode = comparator instanceof UnicodeCasemapComparator;
        int[] points = new int[s.length()];
        int[] origin = new int[s.length() + 1];
        int[] unitStart = unicode ? new int[s.length() + 1] : null;
        int n = 0;
        int u = 0;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            meter.tick();
            origin[u] = i;
            if (unicode) {
                unitStart[u] = n;
                int[] mapped = UnicodeCasemapComparator.map(c);
                if (n + mapped.length > points.length) {
                    points = Arrays.copyOf(points, Math.max(points.length * 2, n + mapped.length));
                }
                System.arraycopy(mapped, 0, points, n, mapped.length);
                n += mapped.length;
                meter.ticks(mapped.length - 1);
            } else {
                points[n++] = comparator instanceof AsciiCasemapComparator ? AsciiCasemapComparator.upper(c) : c;
            }
            u++;
            i += Character.charCount(c);
        }
        origin[u] = s.length();
        int[] unitAt = null;
        if (unicode) {
            unitStart[u] = n;
            unitAt = new int[n + 1];
            Arrays.fill(unitAt, -1);
            for (int k = 0; k <= u; k++) {
                unitAt[unitStart[k]] = k;
            }
        }
        return new Folded(s, points, n, unitStart, unitAt, origin, u);
    }

    /** The folded code points of one pattern character, as {@code comparator} maps them. */
    static int[] map(int codePoint, Comparator comparator) {
        if (comparator instanceof UnicodeCasemapComparator) {
            return UnicodeCasemapComparator.map(codePoint);
        }
        if (comparator instanceof AsciiCasemapComparator) {
            return new int[] {AsciiCasemapComparator.upper(codePoint)};
        }
        return new int[] {codePoint};
    }

    int length() {
        return length;
    }

    int point(int i) {
        return points[i];
    }

    int units() {
        return units;
    }

    /** True when every unit is one code point (i;octet, i;ascii-casemap). */
    boolean oneToOne() {
        return unitAt == null;
    }

    /** The unit that starts at point index {@code i} (0..length), or -1 when {@code i} is inside a unit. */
    int unitAt(int i) {
        return unitAt == null ? i : unitAt[i];
    }

    /** Point index where unit {@code u} (0..units) starts. */
    int unitStart(int u) {
        return unitStart == null ? u : unitStart[u];
    }

    /** The source text of units {@code from} (inclusive) to {@code to} (exclusive). */
    String source(int from, int to) {
        return source.substring(origin[from], origin[to]);
    }

    String source() {
        return source;
    }

    /** Compares the folded points, code point order (the order of their UTF-8 octets, RFC 4790 §9.3). */
    static int compare(Folded a, Folded b, Meter meter) {
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) {
            meter.tick();
            if (a.points[i] != b.points[i]) {
                return Integer.compare(a.points[i], b.points[i]);
            }
        }
        return Integer.compare(a.length, b.length);
    }

    /** RFC 4790 §9.3 substring: {@code key}'s points appear in {@code value}'s at some index. */
    static boolean contains(Folded value, Folded key, Meter meter) {
        for (int start = 0; start + key.length <= value.length; start++) {
            int i = 0;
            while (i < key.length) {
                meter.tick();
                if (value.points[start + i] != key.points[i]) {
                    break;
                }
                i++;
            }
            if (i == key.length) {
                return true;
            }
        }
        return false;
    }

    static String nfkd(String s) {
        return Normalizer.normalize(s, Normalizer.Form.NFKD);
    }
}
