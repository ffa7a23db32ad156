package dev.hato.store.mail;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Proof that a delivery is committed: one stored message per recipient account, and the outbound queue's id of the
 * message when it was queued for outbound recipients (null when it had none).
 */
public record DeliveryReceipt(long blobId, List<MessageMeta> messages, @Nullable Long queuedMessageId) {

    public DeliveryReceipt {
        messages = List.copyOf(messages);
    }

    /** A local delivery only. */
    public DeliveryReceipt(long blobId, List<MessageMeta> messages) {
        this(blobId, messages, null);
    }
}
