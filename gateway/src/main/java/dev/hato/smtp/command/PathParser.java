package dev.hato.smtp.command;

/**
 * The RFC 5321 §4.1.2 grammar of reverse- and forward-paths, with the §4.5.3.1 size limits. Index-based: each rule
 * returns the index after what it matched, or -1.
 */
final class PathParser {

    /** What {@link #parse} found. */
    sealed interface Result permits Parsed, Malformed, TooLong {
    }

    /**
     * @param mailbox the mailbox as written, source route dropped ({@code ""} for {@code <>})
     * @param end     the index right after the closing {@code >}
     */
    record Parsed(String mailbox, int end) implements Result {
    }

    record Malformed() implements Result {
    }

    /** @param part which limit was exceeded, for the reply text */
    record TooLong(String part) implements Result {
    }

    // RFC 5321 §4.5.3.1.1-3
    static final int MAX_LOCAL_PART = 64;
    static final int MAX_DOMAIN = 255;
    static final int MAX_PATH = 256;

    private static final Malformed MALFORMED = new Malformed();
    private static final String POSTMASTER = "postmaster";

    private PathParser() {
    }

    /**
     * Parses a path starting at {@code start}, which must be its {@code <}.
     *
     * @param reversePath {@code true} for MAIL (the null path {@code <>} is allowed), {@code false} for RCPT
     *                    ({@code <postmaster>} without a domain is allowed)
     */
    static Result parse(String s, int start, boolean reversePath) {
        if (!at(s, start, '<')) {
            return MALFORMED;
        }
        // RFC 5321 §4.1.1.2: Reverse-path = Path / "<>"
        if (reversePath && at(s, start + 1, '>')) {
            return new Parsed("", start + 2);
        }
        int i = start + 1;
        if (at(s, i, '@')) {
            // RFC 5321 §4.1.2 A-d-l, and Appendix C: source routes MUST be accepted, SHOULD be ignored.
            while (true) {
                if (!at(s, i, '@')) {
                    return MALFORMED;
                }
                i = domain(s, i + 1);
                if (i < 0) {
                    return MALFORMED;
                }
                if (at(s, i, ',')) {
                    i++;
                } else if (at(s, i, ':')) {
                    i++;
                    break;
                } else {
                    return MALFORMED;
                }
            }
        }
        int mailboxStart = i;
        // RFC 5321 §4.1.2: Local-part = Dot-string / Quoted-string
        int localEnd = at(s, i, '"') ? quotedString(s, i) : dotString(s, i);
        if (localEnd < 0) {
            return MALFORMED;
        }
        int mailboxEnd;
        int domainStart = -1;
        if (at(s, localEnd, '@')) {
            domainStart = localEnd + 1;
            // RFC 5321 §4.1.2: Mailbox = Local-part "@" ( Domain / address-literal )
            mailboxEnd = at(s, domainStart, '[') ? addressLiteral(s, domainStart) : domain(s, domainStart);
            if (mailboxEnd < 0) {
                return MALFORMED;
            }
        } else if (!reversePath && mailboxStart == start + 1 && localEnd - mailboxStart == POSTMASTER.length()
                && s.regionMatches(true, mailboxStart, POSTMASTER, 0, POSTMASTER.length())) {
            // RFC 5321 §4.1.1.3: "<Postmaster>" without a domain, case-insensitive, no source route.
            mailboxEnd = localEnd;
        } else {
            return MALFORMED;
        }
        if (!at(s, mailboxEnd, '>')) {
            return MALFORMED;
        }
        int end = mailboxEnd + 1;
        // RFC 5321 §4.5.3.1: sizes in octets; non-ASCII (RFC 6531) counts as its UTF-8 encoding.
        if (octets(s, mailboxStart, localEnd) > MAX_LOCAL_PART) {
            return new TooLong("local part longer than " + MAX_LOCAL_PART + " octets");
        }
        if (domainStart >= 0 && octets(s, domainStart, mailboxEnd) > MAX_DOMAIN) {
            return new TooLong("domain longer than " + MAX_DOMAIN + " octets");
        }
        if (octets(s, start, end) > MAX_PATH) {
            return new TooLong("path longer than " + MAX_PATH + " octets");
        }
        return new Parsed(s.substring(mailboxStart, mailboxEnd), end);
    }

    /** RFC 5321 §4.1.2: Dot-string = Atom *("." Atom). */
    static int dotString(String s, int i) {
        int j = atom(s, i);
        while (j >= 0 && at(s, j, '.')) {
            j = atom(s, j + 1);
        }
        return j;
    }

    private static int atom(String s, int i) {
        int j = i;
        while (j < s.length() && atext(s.charAt(j))) {
            j++;
        }
        return j > i ? j : -1;
    }

    /** RFC 5321 §4.1.2: Quoted-string = DQUOTE *QcontentSMTP DQUOTE. */
    static int quotedString(String s, int i) {
        int j = i + 1;
        while (j < s.length()) {
            char c = s.charAt(j);
            if (c == '"') {
                return j + 1;
            }
            if (c == '\\') {
                // quoted-pairSMTP = %d92 %d32-126
                if (j + 1 >= s.length() || s.charAt(j + 1) < 32 || s.charAt(j + 1) > 126) {
                    return -1;
                }
                j += 2;
            } else if (qtext(c)) {
                j++;
            } else {
                return -1;
            }
        }
        return -1;
    }

    /** RFC 5321 §4.1.2: Domain = sub-domain *("." sub-domain). */
    static int domain(String s, int i) {
        int j = subDomain(s, i);
        while (j >= 0 && at(s, j, '.')) {
            j = subDomain(s, j + 1);
        }
        return j;
    }

    /** RFC 5321 §4.1.2: sub-domain = Let-dig [Ldh-str]; Ldh-str ends with a Let-dig. */
    private static int subDomain(String s, int i) {
        if (i >= s.length() || !letDig(s.charAt(i))) {
            return -1;
        }
        int end = i + 1;
        int j = i + 1;
        while (j < s.length() && (letDig(s.charAt(j)) || s.charAt(j) == '-')) {
            if (letDig(s.charAt(j))) {
                end = j + 1;
            }
            j++;
        }
        // Trailing hyphens are not part of the label; the caller then fails on the hyphen.
        return end;
    }

    /** RFC 5321 §4.1.3: address-literal = "[" ( IPv4-address-literal / IPv6-address-literal ) "]". */
    static int addressLiteral(String s, int i) {
        int close = s.indexOf(']', i);
        if (close < 0) {
            return -1;
        }
        String literal = s.substring(i + 1, close);
        boolean valid = literal.regionMatches(true, 0, "IPv6:", 0, 5) ? ipv6(literal.substring(5)) : ipv4(literal);
        // General-address-literal tags must be registered with IANA, and none is: reject them.
        return valid ? close + 1 : -1;
    }

    /** RFC 5321 §4.1.3: IPv4-address-literal = Snum 3("." Snum), Snum 0 to 255 in 1 to 3 digits. */
    static boolean ipv4(String literal) {
        String[] parts = literal.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !digits(part) || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    /**
     * RFC 5321 §4.1.3 IPv6-addr (full, compressed, and with a trailing IPv4 address). "::" may stand for a single
     * zero group, as RFC 4291 §2.2 allows, although RFC 5321 asks for at least two.
     */
    static boolean ipv6(String literal) {
        int compressed = literal.indexOf("::");
        if (compressed < 0) {
            return groups(literal, true) == 8;
        }
        if (literal.indexOf("::", compressed + 1) >= 0) {
            return false;
        }
        int left = groups(literal.substring(0, compressed), false);
        int right = groups(literal.substring(compressed + 2), true);
        return left >= 0 && right >= 0 && left + right <= 7;
    }

    /** Counts the 16-bit groups of a colon-separated run (an IPv4 tail counts two), or -1. */
    private static int groups(String run, boolean mayEndWithIpv4) {
        if (run.isEmpty()) {
            return 0;
        }
        String[] groups = run.split(":", -1);
        int count = 0;
        for (int k = 0; k < groups.length; k++) {
            String group = groups[k];
            if (mayEndWithIpv4 && k == groups.length - 1 && group.indexOf('.') >= 0) {
                if (!ipv4(group)) {
                    return -1;
                }
                count += 2;
            } else if (group.isEmpty() || group.length() > 4 || !hex(group)) {
                return -1;
            } else {
                count++;
            }
        }
        return count;
    }

    /** RFC 5321 §4.1.2 atext (RFC 5322 §3.2.3), extended with UTF-8 by RFC 6531 §3.3. */
    static boolean atext(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
                || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0;
    }

    /** RFC 5321 §4.1.2 qtextSMTP, extended with UTF-8 by RFC 6531 §3.3. */
    private static boolean qtext(char c) {
        return c == 32 || c == 33 || c >= 35 && c <= 91 || c >= 93 && c <= 126 || c >= 0x80;
    }

    /** RFC 5321 §4.1.2 Let-dig; non-ASCII letters of U-labels per RFC 6531 §3.3. */
    private static boolean letDig(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80;
    }

    private static boolean digits(String s) {
        for (int k = 0; k < s.length(); k++) {
            if (s.charAt(k) < '0' || s.charAt(k) > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean hex(String s) {
        for (int k = 0; k < s.length(); k++) {
            if (Character.digit(s.charAt(k), 16) < 0 || s.charAt(k) > 'f') {
                return false;
            }
        }
        return true;
    }

    private static boolean at(String s, int i, char c) {
        return i >= 0 && i < s.length() && s.charAt(i) == c;
    }

    /** The UTF-8 length of {@code s[from, to)}. */
    static int octets(String s, int from, int to) {
        int n = 0;
        for (int k = from; k < to; k++) {
            char c = s.charAt(k);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800 || Character.isSurrogate(c)) {
                // A surrogate pair is 4 octets, 2 per char.
                n += 2;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
