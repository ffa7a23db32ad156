package dev.hato.imap.fetch;

import java.util.Locale;

/**
 * The base subject of RFC 5256 §2.1, which SORT SUBJECT and THREAD ORDEREDSUBJECT compare. Steps (2) to (6) are
 * applied as the RFC lists them, to a subject whose encoded words are already decoded (step 1), and the result is
 * lower-cased with {@link Locale#ROOT} so that equal base subjects compare equal as strings (the RFC compares them
 * with a case-insensitive collation).
 */
final class BaseSubject {

    private BaseSubject() {
    }

    static String of(String decodedSubject) {
        // (1) tabs and continuations become spaces, runs of spaces one space
        String subject = decodedSubject.replaceAll("[\\t\\r\\n ]+", " ");
        while (true) {
            // (2) subj-trailer = "(fwd)" / WSP, repeatedly
            subject = removeTrailers(subject);
            // (3), (4), (5): subj-leader and a subj-blob that leaves a non-empty base, until neither applies
            while (true) {
                String before = subject;
                subject = removeLeaders(subject);
                int blob = blobEnd(subject, 0);
                if (blob > 0 && !subject.substring(blob).isBlank()) {
                    subject = subject.substring(blob);
                }
                if (subject.equals(before)) {
                    break;
                }
            }
            // (6) "[fwd:" ... "]" around the whole: remove and repeat from (2)
            if (subject.length() >= 6 && subject.regionMatches(true, 0, "[fwd:", 0, 5) && subject.endsWith("]")) {
                subject = subject.substring(5, subject.length() - 1);
                continue;
            }
            break;
        }
        return subject.toLowerCase(Locale.ROOT);
    }

    private static String removeTrailers(String subject) {
        String s = subject;
        while (true) {
            if (s.endsWith(" ")) {
                s = s.substring(0, s.length() - 1);
            } else if (s.length() >= 5 && s.regionMatches(true, s.length() - 5, "(fwd)", 0, 5)) {
                s = s.substring(0, s.length() - 5);
            } else {
                return s;
            }
        }
    }

    /** subj-leader = (*subj-blob subj-refwd) / WSP, removed as long as one matches. */
    private static String removeLeaders(String subject) {
        String s = subject;
        while (true) {
            if (s.startsWith(" ")) {
                s = s.substring(1);
                continue;
            }
            int pos = 0;
            int blob;
            while ((blob = blobEnd(s, pos)) > 0) {
                pos = blob;
            }
            int refwd = refwdEnd(s, pos);
            if (refwd < 0) {
                return s;
            }
            s = s.substring(refwd);
        }
    }

    /** subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"; the end index, or -1. */
    private static int refwdEnd(String s, int start) {
        int pos;
        if (s.regionMatches(true, start, "re", 0, 2)) {
            pos = start + 2;
        } else if (s.regionMatches(true, start, "fwd", 0, 3)) {
            pos = start + 3;
        } else if (s.regionMatches(true, start, "fw", 0, 2)) {
            pos = start + 2;
        } else {
            return -1;
        }
        while (pos < s.length() && s.charAt(pos) == ' ') {
            pos++;
        }
        int blob = blobEnd(s, pos);
        if (blob > 0) {
            pos = blob;
        }
        return pos < s.length() && s.charAt(pos) == ':' ? pos + 1 : -1;
    }

    /** subj-blob = "[" *BLOBCHAR "]" *WSP, BLOBCHAR any 7-bit CHAR but "[" and "]"; the end index, or -1. */
    private static int blobEnd(String s, int start) {
        if (start >= s.length() || s.charAt(start) != '[') {
            return -1;
        }
        int pos = start + 1;
        while (pos < s.length() && s.charAt(pos) != ']') {
            char c = s.charAt(pos);
            if (c == '[' || c == 0 || c > 0x7F) {
                return -1;
            }
            pos++;
        }
        if (pos >= s.length()) {
            return -1;
        }
        pos++;
        while (pos < s.length() && s.charAt(pos) == ' ') {
            pos++;
        }
        return pos;
    }
}
