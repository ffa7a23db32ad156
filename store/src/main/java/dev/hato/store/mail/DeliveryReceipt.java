package dev.hato.store.mail;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Proof that a delivery is committed: one stored message per local copy, the outbound queue's id of the message
 * when it was queued for outbound recipients (null when it had none), and the name of each mailbox a copy went to,
 * by mailbox id (for the mail log: a filtered copy may not be in the INBOX).
 */
public record DeliveryReceipt(long blobId, List<MessageMeta> messages, @Nullable Long queuedMessageId,
                              Map<Long, String> mailboxNames) {

    public DeliveryReceipt {
        messages = List.copyOf(messages);
        mailboxNames = Map.copyOf(mailboxNames);
    }

    public DeliveryReceipt(long blobId, List<MessageMeta> messages, @Nullable Long queuedMessageId) {
        this(blobId, messages, queuedMessageId, Map.of());
    }

    /** This receipt, with the outbound queue's id of the message. */
    public DeliveryReceipt queued(long messageId) {
        return new DeliveryReceipt(blobId, messages, messageId, mailboxNames);
    }

    /** A local delivery only. */
    public DeliveryReceipt(long blobId, List<MessageMeta> messages) {
        this(blobId, messages, null);
    }
}
