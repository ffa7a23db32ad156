package dev.hato.store.queue;

import java.time.Instant;

/**
 * A message in the outbound queue: its stored content ({@code blobId}, shared with any local copies), its envelope
 * and when it arrived (the start of its retry period).
 */
public record QueuedMessage(long id, long blobId, long size, Envelope envelope, Instant arrival) {
    public QueuedMessage {
        if (size < 0) {
            throw new IllegalArgumentException("size cannot be negative");
        }
    }
}
