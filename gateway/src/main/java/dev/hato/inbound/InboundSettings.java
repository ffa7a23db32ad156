package dev.hato.inbound;

import java.time.Duration;

/**
 * What inbound authentication checks on the MTA port, and what it does with a DMARC failure.
 *
 * @param arc validate ARC chains (RFC 8617) and report them; they change no verdict
 * @param authservId the authserv-id of the Authentication-Results field (the host name by default)
 * @param enforceDmarc apply a failing sender's policy: reject → 550 5.7.1, quarantine → the recipient's Junk
 * @param deferOnTemperror answer 451 4.7.0 when DMARC is temperror and the policy is (or may be) reject or quarantine;
 *                         otherwise such a message is accepted with dmarc=temperror
 * @param maxSignatures DKIM signatures verified per message, from the top
 * @param deadline how long SPF, and then DKIM and DMARC at the end of the message, may take before temperror
 */
public record InboundSettings(boolean spf, boolean dkim, boolean dmarc, boolean arc, String authservId,
                              boolean enforceDmarc, boolean deferOnTemperror, int maxSignatures, Duration deadline) {

    public InboundSettings {
        if (authservId.isBlank() || authservId.chars().anyMatch(c -> c <= ' ' || c > '~' || c == ';')) {
            throw new IllegalArgumentException("hato.inbound.authserv-id must be a token, got '" + authservId + "'");
        }
        if (maxSignatures < 1 || maxSignatures > 20) {
            throw new IllegalArgumentException("hato.inbound.dkim.max-signatures must be between 1 and 20");
        }
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("hato.inbound.deadline must be positive");
        }
    }

    public boolean any() {
        return spf || dkim || dmarc || arc;
    }
}
