package dev.hato.delivery;

import java.util.List;

/**
 * The pipeline's verdict on a message: one per admitted recipient, in admission order, and how many copies were
 * committed: {@code stored} local mailboxes, {@code queued} recipients elsewhere.
 */
public record DeliveryResult(List<RecipientVerdict> verdicts, int stored, int queued) {

    public DeliveryResult {
        verdicts = List.copyOf(verdicts);
    }

    /** Every recipient refused with the same {@code reply}: nothing was committed. */
    static DeliveryResult refused(AcceptedRecipients recipients, DeliveryReply reply) {
        return new DeliveryResult(recipients.addresses().stream()
                .<RecipientVerdict>map(address -> new RecipientVerdict.Failed(address, reply)).toList(), 0, 0);
    }

    /** Whether the message was committed for at least one recipient. */
    public boolean accepted() {
        return verdicts.stream().anyMatch(verdict -> !(verdict instanceof RecipientVerdict.Failed));
    }

    /** The reply of the first failed recipient; the message must have one (not {@link #accepted()}). */
    public DeliveryReply firstFailure() {
        return verdicts.stream().filter(RecipientVerdict.Failed.class::isInstance)
                .map(verdict -> ((RecipientVerdict.Failed) verdict).reply()).findFirst()
                .orElseThrow(() -> new IllegalStateException("no recipient failed"));
    }
}
