package dev.hato.message;

import java.util.Locale;

/**
 * The base subject of RFC 5256 §2.1, which SORT SUBJECT and THREAD ORDEREDSUBJECT compare. Steps (2) to (6) are
 * applied as the RFC lists them, to a subject whose encoded words are already decoded (step 1), and the result is
 * lower-cased with {@link Locale#ROOT} so that equal base subjects compare equal as strings (the RFC compares them
 * with a case-insensitive collation).
 *
 * <p>Any sender chooses the subject and every delivery computes this, so the work is linear in its length: the
 * subject is never copied while the steps cut it, only the bounds {@code [start, end)} move, and a run of blobs that
 * step (4) would remove one at a time is removed in one pass (a subject of 40,000 {@code [x]} took seconds when each
 * removal copied and rescanned the rest).
 */
public final class BaseSubject {

    private BaseSubject() {
    }

    public static String of(String decodedSubject) {
        // (1) tabs and continuations become spaces, runs of spaces one space
        String s = collapseWhitespace(decodedSubject);
        // nonBlank[i]: how many of s[0, i) are not whitespace, so that "is s[a, b) blank" is one subtraction
        int[] nonBlank = new int[s.length() + 1];
        for (int i = 0; i < s.length(); i++) {
            nonBlank[i + 1] = nonBlank[i] + (Character.isWhitespace(s.charAt(i)) ? 0 : 1);
        }
        int start = 0;
        int end = s.length();
        while (true) {
            // (2) subj-trailer = "(fwd)" / WSP, repeatedly
            end = removeTrailers(s, start, end);
            // (3), (4), (5): subj-leader and a subj-blob that leaves a non-empty base, until neither applies
            while (true) {
                int before = start;
                start = removeLeaders(s, start, end);
                // (4) removes a leading blob when the rest is not blank, and then (3) finds nothing new before the
                // next blob of the same run (its refwd test failed at the run's end already): the run's blobs go
                // one after another, here in one pass.
                int blob;
                while ((blob = blobEnd(s, start, end)) > 0 && nonBlank[end] - nonBlank[blob] > 0) {
                    start = blob;
                }
                if (start == before) {
                    break;
                }
            }
            // (6) "[fwd:" ... "]" around the whole: remove and repeat from (2)
            if (end - start >= 6 && s.regionMatches(true, start, "[fwd:", 0, 5) && s.charAt(end - 1) == ']') {
                start += 5;
                end -= 1;
                continue;
            }
            break;
        }
        return s.substring(start, end).toLowerCase(Locale.ROOT);
    }

    private static String collapseWhitespace(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean inRun = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
            if (!space) {
                out.append(c);
            } else if (!inRun) {
                out.append(' ');
            }
            inRun = space;
        }
        return out.toString();
    }

    /** The end of s[start, end) without its trailing spaces and "(fwd)"s. */
    private static int removeTrailers(String s, int start, int end) {
        int e = end;
        while (true) {
            if (e > start && s.charAt(e - 1) == ' ') {
                e--;
            } else if (e - start >= 5 && s.regionMatches(true, e - 5, "(fwd)", 0, 5)) {
                e -= 5;
            } else {
                return e;
            }
        }
    }

    /** subj-leader = (*subj-blob subj-refwd) / WSP, removed as long as one matches; the new start. */
    private static int removeLeaders(String s, int start, int end) {
        int from = start;
        while (true) {
            if (from < end && s.charAt(from) == ' ') {
                from++;
                continue;
            }
            int pos = from;
            int blob;
            while ((blob = blobEnd(s, pos, end)) > 0) {
                pos = blob;
            }
            int refwd = refwdEnd(s, pos, end);
            if (refwd < 0) {
                return from;
            }
            from = refwd;
        }
    }

    /** subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"; the end index, or -1. */
    private static int refwdEnd(String s, int start, int end) {
        int pos;
        if (at(s, start, end, "re")) {
            pos = start + 2;
        } else if (at(s, start, end, "fwd")) {
            pos = start + 3;
        } else if (at(s, start, end, "fw")) {
            pos = start + 2;
        } else {
            return -1;
        }
        while (pos < end && s.charAt(pos) == ' ') {
            pos++;
        }
        int blob = blobEnd(s, pos, end);
        if (blob > 0) {
            pos = blob;
        }
        return pos < end && s.charAt(pos) == ':' ? pos + 1 : -1;
    }

    /** subj-blob = "[" *BLOBCHAR "]" *WSP, BLOBCHAR any 7-bit CHAR but "[" and "]"; the end index, or -1. */
    private static int blobEnd(String s, int start, int end) {
        if (start >= end || s.charAt(start) != '[') {
            return -1;
        }
        int pos = start + 1;
        while (pos < end && s.charAt(pos) != ']') {
            char c = s.charAt(pos);
            if (c == '[' || c == 0 || c > 0x7F) {
                return -1;
            }
            pos++;
        }
        if (pos >= end) {
            return -1;
        }
        pos++;
        while (pos < end && s.charAt(pos) == ' ') {
            pos++;
        }
        return pos;
    }

    /** Whether {@code word} is at {@code pos} within s[.., end), ignoring case as String.regionMatches does. */
    private static boolean at(String s, int pos, int end, String word) {
        return pos + word.length() <= end && s.regionMatches(true, pos, word, 0, word.length());
    }
}
