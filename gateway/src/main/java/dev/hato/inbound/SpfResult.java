package dev.hato.inbound;

import java.util.Locale;

/**
 * The outcome of an SPF check (RFC 7208 §2.6) of one identity, with a short reason for the A-R comment.
 *
 * @param identity "mailfrom" or "helo" (RFC 8601 §2.7.2 smtp.mailfrom / smtp.helo)
 * @param domain the domain checked (of the MAIL FROM address, or the HELO name)
 * @param value the identity as the A-R header names it (the MAIL FROM address, or the HELO name)
 */
public record SpfResult(Result result, String identity, String domain, String value, String reason) {

    public enum Result {
        NONE, NEUTRAL, PASS, FAIL, SOFTFAIL, TEMPERROR, PERMERROR;

        public String token() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
