package dev.hato.store.mail;

import dev.hato.store.queue.Envelope;
import dev.hato.store.queue.OutboundRecipient;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One message to store as each of {@code copies} (in the INBOX unless a copy names a mailbox; when {@code junk}, in
 * the \Junk mailbox, created when missing; two copies that end in one mailbox are stored once, with the flags of
 * both) and to queue for each of {@code outbound}, all in the same transaction: when the delivery writer reports the commit, the
 * local copies and the queue entries exist together, or, on failure, none of them. {@code facts}, when known,
 * are stored with a new blob in the same transaction (null: the gateway computes them when first needed).
 */
public record Delivery(MessageContent content, List<Copy> copies, Instant internalDate, Envelope envelope,
                       List<OutboundRecipient> outbound, @Nullable MessageFacts facts, boolean junk) {
    public Delivery {
        if (copies.isEmpty() && outbound.isEmpty()) {
            throw new IllegalArgumentException("a delivery needs at least one recipient");
        }
        copies = List.copyOf(copies);
        outbound = List.copyOf(outbound);
    }

    /** The accounts that get a copy, each once, in the order of their first copy. */
    public List<Long> accountIds() {
        return copies.stream().map(Copy::accountId).distinct().toList();
    }

    /** A delivery to the INBOXes. */
    public Delivery(MessageContent content, List<Long> accountIds, Instant internalDate, Envelope envelope,
                    List<OutboundRecipient> outbound, @Nullable MessageFacts facts) {
        this(content, Copy.inboxes(accountIds), internalDate, envelope, outbound, facts, false);
    }

    /** A delivery whose facts are not known yet. */
    public Delivery(MessageContent content, List<Long> accountIds, Instant internalDate, Envelope envelope,
                    List<OutboundRecipient> outbound) {
        this(content, accountIds, internalDate, envelope, outbound, null);
    }

    /** Local delivery only, without envelope details. */
    public Delivery(MessageContent content, List<Long> accountIds, Instant internalDate) {
        this(content, accountIds, internalDate, Envelope.NONE, List.of());
    }
}
