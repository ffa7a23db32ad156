package dev.hato.dkim;

import java.util.Locale;

/**
 * The ARC (RFC 8617) chain validation of one message: none (no ARC sets), pass, fail, or temperror when a key could
 * not be looked up; {@code instances} is the number of ARC sets.
 */
public record ArcVerdict(Result result, int instances, String reason) {

    public enum Result {
        NONE, PASS, FAIL, TEMPERROR;

        public String token() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
