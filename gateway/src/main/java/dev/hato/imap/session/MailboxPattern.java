package dev.hato.imap.session;

import dev.hato.imap.wire.ModifiedUtf7;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A LIST or LSUB pattern over stored mailbox names (RFC 3501 §6.3.8, RFC 9051 §6.3.9): {@code *} matches any
 * characters, {@code %} any but the hierarchy delimiter {@code /}, every other character itself. The reference is
 * prefixed as given, the joined text is decoded from modified UTF-7 (unless UTF8=ACCEPT is on), and {@code INBOX} at
 * its start is case-insensitive (RFC 3501 §5.1) like the names it is compared with.
 *
 * <p>No regular expression: a pattern from a client turned into a backtracking {@link java.util.regex.Pattern}
 * ({@code [^/]*} for each {@code %}) takes time exponential in the number of wildcards before it fails, so
 * {@code LIST "" "%%%…%Z"} kept a thread busy for seconds with 52 of them and for ever with 2,000. Here runs of
 * wildcards collapse first (a run holding a {@code *} is {@code *}, a run of {@code %} is {@code %}: the languages
 * are the same), and a name is matched by a simulation of the pattern's automaton that keeps the set of reachable
 * positions as bits: one pass over the name, each character costing one step per 64 pattern positions. A pattern
 * is at most {@code maxLength} characters (see {@link #compile}), a stored name at most 1,000, so a match is
 * bounded by their product / 64 word operations whatever either holds.
 */
final class MailboxPattern {

    private static final long[] NONE = new long[0];
    /** One literal token that no character is: no name reaches its end. */
    private static final MailboxPattern NOTHING = new MailboxPattern(1, new long[1], new long[1], Map.of());

    private final int tokens;
    /** Bit i: the pattern's i-th token is {@code *} (it may consume any character and stay). */
    private final long[] star;
    /** Bit i: the i-th token is {@code *} or {@code %} (it may also match nothing). */
    private final long[] wild;
    /** Per literal character of the pattern, bit i: the i-th token is that character. */
    private final Map<Character, long[]> literals;

    private MailboxPattern(int tokens, long[] star, long[] wild, Map<Character, long[]> literals) {
        this.tokens = tokens;
        this.star = star;
        this.wild = wild;
        this.literals = literals;
    }

    /**
     * The patterns of one LIST (RFC 5258 §3 allows several) or LSUB, each joined with the reference. Throws
     * IllegalArgumentException, which the session answers with a tagged BAD, when the joined patterns together are
     * longer than {@code maxLength} characters or hold more than {@code maxWildcards} wildcards. A pattern that is not
     * modified UTF-7 matches nothing. The limits apply to the sum so that many small patterns in one command cost no
     * more than one long one.
     */
    static List<MailboxPattern> compile(String command, String reference, List<String> patterns, boolean utf8,
                                        int maxLength, int maxWildcards) {
        long length = 0;
        long wildcards = 0;
        for (String pattern : patterns) {
            length += reference.length() + pattern.length();
            wildcards += wildcards(reference) + wildcards(pattern);
        }
        if (length > maxLength) {
            throw new IllegalArgumentException(command + " pattern too long: " + length
                    + " characters with the reference, at most " + maxLength);
        }
        if (wildcards > maxWildcards) {
            throw new IllegalArgumentException(command + " pattern has too many wildcards: " + wildcards
                    + ", at most " + maxWildcards);
        }
        List<MailboxPattern> compiled = new ArrayList<>(patterns.size());
        for (String pattern : patterns) {
            compiled.add(of(reference, pattern, utf8));
        }
        return compiled;
    }

    /** One pattern joined with its reference, without the limits of {@link #compile}. */
    static MailboxPattern of(String reference, String wirePattern, boolean utf8) {
        String joined = reference + wirePattern;
        String decoded;
        try {
            decoded = canonicalInbox(utf8 ? joined : ModifiedUtf7.decode(joined));
        } catch (IllegalArgumentException notModifiedUtf7) {
            // RFC 3501 §5.1.3: every name is valid modified UTF-7 on the wire, so a pattern that is not matches no
            // name; LIST answers OK with nothing, as for any pattern that matches nothing (§6.3.8).
            return NOTHING;
        }
        // Tokens: literal characters, and each run of wildcards as one '*' (if it holds one) or '%'. Neither
        // character is ever a literal: a pattern has no way to quote them.
        StringBuilder pattern = new StringBuilder(decoded.length());
        int i = 0;
        while (i < decoded.length()) {
            char c = decoded.charAt(i);
            if (c != '*' && c != '%') {
                pattern.append(c);
                i++;
                continue;
            }
            boolean anyStar = false;
            while (i < decoded.length() && (decoded.charAt(i) == '*' || decoded.charAt(i) == '%')) {
                anyStar |= decoded.charAt(i) == '*';
                i++;
            }
            pattern.append(anyStar ? '*' : '%');
        }
        int tokens = pattern.length();
        // States 0..tokens: state i means the first i tokens matched the name so far.
        int words = (tokens + 1 + 63) / 64;
        long[] star = new long[words];
        long[] wild = new long[words];
        Map<Character, long[]> literals = new HashMap<>();
        for (int t = 0; t < tokens; t++) {
            long bit = 1L << (t & 63);
            char token = pattern.charAt(t);
            switch (token) {
                case '*' -> {
                    star[t >>> 6] |= bit;
                    wild[t >>> 6] |= bit;
                }
                case '%' -> wild[t >>> 6] |= bit;
                default -> literals.computeIfAbsent(token, c -> new long[words])[t >>> 6] |= bit;
            }
        }
        return new MailboxPattern(tokens, star, wild, literals);
    }

    /** Whether the whole of a stored name matches; at most |name| × ⌈(tokens + 1) / 64⌉ word operations. */
    boolean matches(String name) {
        int words = star.length;
        long[] current = new long[words];
        long[] next = new long[words];
        current[0] = 1L;
        skipWildcards(current);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            long[] literal = literals.getOrDefault(c, NONE);
            // '%' consumes anything but the delimiter, '*' anything (RFC 3501 §6.3.8).
            long[] stay = c == MailboxNames.DELIMITER ? star : wild;
            long carry = 0;
            long any = 0;
            for (int w = 0; w < words; w++) {
                long advance = literal == NONE ? 0 : current[w] & literal[w];
                next[w] = (advance << 1) | carry | (current[w] & stay[w]);
                carry = advance >>> 63;
                any |= next[w];
            }
            if (any == 0) {
                return false;
            }
            skipWildcards(next);
            long[] swap = current;
            current = next;
            next = swap;
        }
        return (current[tokens >>> 6] & (1L << (tokens & 63))) != 0;
    }

    /**
     * Adds the states reached by letting a wildcard match nothing. One pass suffices: runs of wildcards were
     * collapsed, so the token after a wildcard is a literal (or the end) and adds nothing further.
     */
    private void skipWildcards(long[] states) {
        long carry = 0;
        for (int w = 0; w < states.length; w++) {
            long skip = states[w] & wild[w];
            states[w] |= (skip << 1) | carry;
            carry = skip >>> 63;
        }
    }

    private static int wildcards(String text) {
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '*' || c == '%') {
                n++;
            }
        }
        return n;
    }

    /** RFC 3501 §5.1: a pattern starting with INBOX in any case (as a whole level, or before a wildcard). */
    private static String canonicalInbox(String pattern) {
        if (pattern.regionMatches(true, 0, "INBOX", 0, 5)
                && (pattern.length() == 5 || "/*%".indexOf(pattern.charAt(5)) >= 0)) {
            return "INBOX" + pattern.substring(5);
        }
        return pattern;
    }
}
