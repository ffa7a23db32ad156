package dev.hato.store;

import java.time.Instant;
import java.util.List;

/**
 * One message to append to the INBOX of each of {@code accountIds} (duplicates are delivered once) and to queue
 * for each of {@code outbound}, all in the same transaction: when the delivery writer reports the commit, the
 * local copies and the queue entries exist together, or, on failure, none of them.
 */
public record Delivery(MessageContent content, List<Long> accountIds, Instant internalDate, Envelope envelope,
                       List<OutboundRecipient> outbound) {
    public Delivery {
        if (accountIds.isEmpty() && outbound.isEmpty()) {
            throw new IllegalArgumentException("a delivery needs at least one recipient");
        }
        accountIds = List.copyOf(accountIds);
        outbound = List.copyOf(outbound);
    }

    /** Local delivery only, without envelope details. */
    public Delivery(MessageContent content, List<Long> accountIds, Instant internalDate) {
        this(content, accountIds, internalDate, Envelope.NONE, List.of());
    }
}
