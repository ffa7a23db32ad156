package dev.hato.inbound;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A DMARC policy record (RFC 7489 §6.3): p=, sp=, pct=, adkim=, aspf=. Reporting tags (rua, ruf, fo, rf, ri) are
 * accepted and not used: Hato sends no DMARC reports. Parsing is one linear pass over at most {@link #MAX_LENGTH}
 * characters with at most {@link #MAX_TAGS} tags; a record that does not start with {@code v=DMARC1} is no record.
 */
public record DmarcRecord(Policy policy, @Nullable Policy subdomainPolicy, int percent, boolean strictDkim,
                          boolean strictSpf) {

    static final int MAX_LENGTH = 2048;
    static final int MAX_TAGS = 32;

    public enum Policy {
        NONE, QUARANTINE, REJECT;

        public String token() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Whether this TXT string claims to be a DMARC record (§6.6.3: begins with v=DMARC1, then ; or space). */
    static boolean isDmarc(String txt) {
        String trimmed = txt.stripLeading();
        if (!trimmed.regionMatches(false, 0, "v=DMARC1", 0, 8)) {
            return false;
        }
        String rest = trimmed.substring(8).stripLeading();
        return rest.isEmpty() || rest.charAt(0) == ';';
    }

    /** The record, or null when it is not usable as a policy (§6.6.3: then as if there were none). */
    static @Nullable DmarcRecord parse(String text) {
        if (text.length() > MAX_LENGTH || !isDmarc(text)) {
            return null;
        }
        Policy policy = null;
        Policy subdomain = null;
        int percent = 100;
        boolean strictDkim = false;
        boolean strictSpf = false;
        boolean reports = false;
        boolean first = true;
        int tags = 0;
        for (String spec : text.split(";", MAX_TAGS + 2)) {
            if (spec.isBlank()) {
                continue;
            }
            if (++tags > MAX_TAGS) {
                return null;
            }
            int equals = spec.indexOf('=');
            if (equals < 0) {
                return null;
            }
            String name = spec.substring(0, equals).strip().toLowerCase(Locale.ROOT);
            String value = spec.substring(equals + 1).strip();
            if (first) {
                first = false;
                continue; // v=DMARC1, checked above
            }
            switch (name) {
                case "p" -> policy = policy(value);
                case "sp" -> subdomain = policy(value);
                case "pct" -> percent = percent(value);
                case "adkim" -> strictDkim = alignment(value, strictDkim);
                case "aspf" -> strictSpf = alignment(value, strictSpf);
                case "rua" -> reports = true;
                default -> { } // ruf, fo, rf, ri and unknown tags are ignored (§6.3)
            }
        }
        if (policy == null) {
            // §6.6.3: an invalid or missing p= with a rua= is p=none; without one, the record is discarded.
            if (!reports) {
                return null;
            }
            policy = Policy.NONE;
        }
        return new DmarcRecord(policy, subdomain, percent, strictDkim, strictSpf);
    }

    private static @Nullable Policy policy(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "none" -> Policy.NONE;
            case "quarantine" -> Policy.QUARANTINE;
            case "reject" -> Policy.REJECT;
            default -> null;
        };
    }

    private static int percent(String value) {
        if (value.isEmpty() || value.length() > 3 || !value.chars().allMatch(Character::isDigit)) {
            return 100;
        }
        return Math.min(100, Integer.parseInt(value));
    }

    private static boolean alignment(String value, boolean current) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "s" -> true;
            case "r" -> false;
            default -> current;
        };
    }
}
