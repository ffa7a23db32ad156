package dev.hato.inbound;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The DMARC evaluation of one message (RFC 7489 §6.6): the result, the RFC5322.From domain, the record's policy
 * that applies (p= or sp=) and the disposition after pct= sampling.
 */
public record DmarcResult(Result result, @Nullable String fromDomain, DmarcRecord.@Nullable Policy policy,
                          DmarcRecord.Policy disposition, String reason) {

    public enum Result {
        NONE, PASS, FAIL, TEMPERROR, PERMERROR;

        public String token() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
