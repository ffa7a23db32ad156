package dev.hato.sieve.match;

import dev.hato.sieve.Budget;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A compiled {@code :matches} pattern (RFC 5228 §2.7.1) with the captures of RFC 5229 §3.2, never through
 * {@code java.util.regex} (ADR 0011, "Run-time bounds").
 *
 * <p>The pattern is split at each '*' into segments of literal characters and '?'. The first segment must match at
 * the start of the value and the last at its end; each segment between them is placed at its earliest occurrence after
 * the previous one. That placement finds a match whenever one exists (an earlier segment leaves the later ones more
 * room), and it is the one RFC 5229 §3.2 asks for: "the wildcards match as little as possible", the first '*' the
 * least it can, then the next. Each start position tried compares at most one segment, so a match costs at most
 * value length × pattern length comparisons, charged to the {@link Budget}; there is no backtracking to blow up.
 */
public final class Glob {

    /** A '?' token in a segment; literal tokens are folded code points (never negative). */
    private static final int ANY = -1;

    private final String pattern;
    private final Comparator comparator;
    /** Folded tokens between the '*'s: stars = segments.length - 1. */
    private final int[][] segments;
    /** The wildcards in pattern order: a star's index (>= 0), or -1 - the index of a '?' among all '?'s. */
    private final int[] wildcards;
    private final int questionMarks;

    private Glob(String pattern, Comparator comparator, int[][] segments, int[] wildcards, int questionMarks) {
        this.pattern = pattern;
        this.comparator = comparator;
        this.segments = segments;
        this.wildcards = wildcards;
        this.questionMarks = questionMarks;
    }

    /**
     * A :matches pattern: '*' any sequence, '?' one character, '\\' escapes the next character (RFC 5228 §2.7.1).
     * Throws IllegalArgumentException when the comparator does not support substrings.
     */
    public static Glob compile(String pattern, Comparator comparator) {
        if (!comparator.substringSupported()) {
            throw new IllegalArgumentException(comparator.name() + " cannot be used with :matches (RFC 5228 §2.7.3)");
        }
        List<int[]> segments = new ArrayList<>();
        List<Integer> wildcards = new ArrayList<>();
        int[] segment = new int[pattern.length()];
        int length = 0;
        int questionMarks = 0;
        for (int i = 0; i < pattern.length(); ) {
            int c = pattern.codePointAt(i);
            i += Character.charCount(c);
            if (c == '*') {
                wildcards.add(segments.size());
                segments.add(Arrays.copyOf(segment, length));
                length = 0;
                continue;
            }
            int[] mapped;
            if (c == '?') {
                wildcards.add(-1 - questionMarks++);
                mapped = new int[] {ANY};
            } else {
                if (c == '\\' && i < pattern.length()) {
                    // "\\?" and "\\*" match themselves; so does any escaped character. A trailing backslash is
                    // itself (Pigeonhole 0.5.19 fails an assertion there).
                    c = pattern.codePointAt(i);
                    i += Character.charCount(c);
                }
                mapped = Folded.map(c, comparator);
            }
            if (length + mapped.length > segment.length) {
                segment = Arrays.copyOf(segment, Math.max(2 * segment.length, length + mapped.length));
            }
            System.arraycopy(mapped, 0, segment, length, mapped.length);
            length += mapped.length;
        }
        segments.add(Arrays.copyOf(segment, length));
        return new Glob(pattern, comparator, segments.toArray(new int[0][]),
                wildcards.stream().mapToInt(Integer::intValue).toArray(), questionMarks);
    }

    /**
     * Null when the value does not match; else the captures for ${0}..${n} (RFC 5229 §3.2): index 0 the whole value,
     * then one per wildcard in pattern order.
     */
    public @Nullable List<String> match(String value, Budget budget) {
        Meter meter = new Meter(budget);
        Folded v = Folded.of(value, comparator, meter);
        int stars = segments.length - 1;
        int[] starFrom = new int[stars];
        int[] starTo = new int[stars];
        int[] anyUnit = new int[questionMarks];
        if (!place(v, starFrom, starTo, anyUnit, meter)) {
            return null;
        }
        List<String> captures = new ArrayList<>(wildcards.length + 1);
        captures.add(value);
        for (int w : wildcards) {
            captures.add(w >= 0 ? v.source(starFrom[w], starTo[w]) : v.source(anyUnit[-1 - w], anyUnit[-1 - w] + 1));
        }
        return captures;
    }

    public boolean matches(String value, Budget budget) {
        return match(value, budget) != null;
    }

    /** Places every segment (see the class comment); fills the units each '*' and '?' took. */
    private boolean place(Folded v, int[] starFrom, int[] starTo, int[] anyUnit, Meter meter) {
        int stars = segments.length - 1;
        int anyIndex = 0;
        int at = matchAt(segments[0], v, 0, anyUnit, anyIndex, meter);
        if (at < 0) {
            return false;
        }
        anyIndex += count(segments[0]);
        if (stars == 0) {
            return at == v.length();
        }
        for (int s = 1; s <= stars; s++) {
            int[] segment = segments[s];
            boolean last = s == stars;
            int from = v.unitAt(at);
            int end = -1;
            int u = from;
            if (last && v.oneToOne()) {
                // One token, one code point: the last segment can only start here.
                u = v.length() - segment.length;
                if (u >= from) {
                    end = matchAt(segment, v, u, anyUnit, anyIndex, meter);
                }
                end = end == v.length() ? end : -1;
            } else {
                for (; u <= v.units() && v.length() - v.unitStart(u) >= segment.length; u++) {
                    end = matchAt(segment, v, v.unitStart(u), anyUnit, anyIndex, meter);
                    if (end >= 0 && (!last || end == v.length())) {
                        break;
                    }
                    end = -1;
                }
            }
            if (end < 0) {
                return false;
            }
            starFrom[s - 1] = from;
            starTo[s - 1] = u;
            anyIndex += count(segment);
            at = end;
        }
        return true;
    }

    /**
     * Matches one segment at point index {@code at}, which starts a unit; the point index where it ends (also the
     * start of a unit), or -1. Records the unit each '?' takes from {@code anyUnit[anyIndex]} on.
     */
    private static int matchAt(int[] segment, Folded v, int at, int[] anyUnit, int anyIndex, Meter meter) {
        for (int token : segment) {
            meter.tick();
            if (token == ANY) {
                // RFC 5228 §2.7.1: "?" matches one character as the comparator defines it: one unit.
                int unit = v.unitAt(at);
                if (unit < 0 || unit >= v.units()) {
                    return -1;
                }
                anyUnit[anyIndex++] = unit;
                at = v.unitStart(unit + 1);
            } else {
                if (at >= v.length() || v.point(at) != token) {
                    return -1;
                }
                at++;
            }
        }
        return v.unitAt(at) >= 0 ? at : -1;
    }

    private static int count(int[] segment) {
        int n = 0;
        for (int token : segment) {
            if (token == ANY) {
                n++;
            }
        }
        return n;
    }

    @Override
    public String toString() {
        return ":matches \"" + pattern + "\" " + comparator.name();
    }
}
