package dev.hato.store.queue;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * How much waits in the outbound queue, for health and metrics: recipients still queued (not yet delivered or
 * failed), the messages they belong to, and the arrival of the oldest such message (null when nothing waits).
 */
public record QueueSummary(long recipients, long messages, @Nullable Instant oldestArrival) {

    public static final QueueSummary EMPTY = new QueueSummary(0, 0, null);
}
