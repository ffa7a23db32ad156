package dev.hato.store;

import java.time.Instant;
import java.util.List;

/** One message to append to the INBOX of each of {@code accountIds} (duplicates are delivered once). */
public record Delivery(MessageContent content, List<Long> accountIds, Instant internalDate) {
    public Delivery {
        if (accountIds.isEmpty()) {
            throw new IllegalArgumentException("a delivery needs at least one recipient account");
        }
        accountIds = List.copyOf(accountIds);
    }
}
