package dev.hato.outbound.client;

import dev.hato.store.queue.OutboundRecipient;

/**
 * What became of one recipient in one attempt.
 *
 * @param status    RFC 3463 status, from the server's enhanced status code or derived from its reply
 * @param diagnostic what to tell the sender: {@code smtp; 550 5.1.1 ...} or a description of a local reason
 * @param dsnPassed whether the server took the DSN request along (it offered DSN), so it reports success itself
 */
public record RecipientResult(OutboundRecipient recipient, Outcome outcome, String status, String diagnostic,
                              boolean dsnPassed) {

    public enum Outcome { DELIVERED, TEMPORARY, PERMANENT }

    /** A failure decided here, not by the server (e.g. a missing extension, an unreachable destination). */
    public static RecipientResult local(OutboundRecipient recipient, boolean permanent, String status, String reason) {
        return new RecipientResult(recipient, permanent ? Outcome.PERMANENT : Outcome.TEMPORARY, status,
                "x-local; " + reason, false);
    }

    static RecipientResult of(OutboundRecipient recipient, SmtpReply reply, boolean dsnPassed) {
        Outcome outcome = reply.positive() ? Outcome.DELIVERED
                : reply.transientFailure() ? Outcome.TEMPORARY : Outcome.PERMANENT;
        // RFC 3463 §3.1: X.0.0 when the server gave no detail.
        return new RecipientResult(recipient, outcome, reply.status("0.0"), "smtp; " + reply, dsnPassed);
    }
}
