package dev.hato.dkim;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The verification result of one DKIM-Signature field (RFC 8601 §2.7.1 result names), with what the
 * Authentication-Results field reports of it (header.d, header.s, header.i, header.a, header.b: RFC 6008) and a
 * short reason for its comment.
 */
public record DkimVerdict(Result result, @Nullable String domain, @Nullable String selector,
                          @Nullable String identity, @Nullable String algorithm, @Nullable String signaturePrefix,
                          String reason) {

    public enum Result {
        PASS, FAIL, POLICY, NEUTRAL, TEMPERROR, PERMERROR;

        public String token() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    DkimVerdict with(Result newResult, String newReason) {
        return new DkimVerdict(newResult, domain, selector, identity, algorithm, signaturePrefix, newReason);
    }
}
