package dev.hato.store.mail;

import dev.hato.store.queue.Envelope;
import dev.hato.store.queue.OutboundRecipient;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One message to append to the INBOX (or, when {@code junk}, the \Junk mailbox, created when missing) of each of
 * {@code accountIds} (duplicates are delivered once) and to queue
 * for each of {@code outbound}, all in the same transaction: when the delivery writer reports the commit, the
 * local copies and the queue entries exist together, or, on failure, none of them. {@code facts}, when known,
 * are stored with a new blob in the same transaction (null: the gateway computes them when first needed).
 */
public record Delivery(MessageContent content, List<Long> accountIds, Instant internalDate, Envelope envelope,
                       List<OutboundRecipient> outbound, @Nullable MessageFacts facts, boolean junk) {
    public Delivery {
        if (accountIds.isEmpty() && outbound.isEmpty()) {
            throw new IllegalArgumentException("a delivery needs at least one recipient");
        }
        accountIds = List.copyOf(accountIds);
        outbound = List.copyOf(outbound);
    }

    /** A delivery to the INBOXes. */
    public Delivery(MessageContent content, List<Long> accountIds, Instant internalDate, Envelope envelope,
                    List<OutboundRecipient> outbound, @Nullable MessageFacts facts) {
        this(content, accountIds, internalDate, envelope, outbound, facts, false);
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
