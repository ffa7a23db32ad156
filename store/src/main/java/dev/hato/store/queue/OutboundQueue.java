package dev.hato.store.queue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The outbound queue, shared by every gateway node on the same database. Entries are written by the
 * {@link dev.hato.store.mail.DeliveryWriter} (a {@link dev.hato.store.mail.Delivery} with outbound recipients);
 * the queue runner claims what is due, tries it, and records the outcome per recipient. A claim is a lease: a
 * claimed recipient is not due again until {@code lease} has passed, so a node that dies mid-delivery delays its
 * recipients but never loses them, and two nodes never claim the same recipient at once.
 */
public interface OutboundQueue {

    /**
     * Claims due recipients of at most {@code destinations} destinations (earliest due first; a destination is a
     * domain, or a legacy system's MTA: {@link QueuedRecipient#destination()}), at most
     * {@code limit} recipients in all, grouped so that all due recipients of a message to one domain come together.
     * Destinations in {@code busy} (those this node is delivering to right now) are left alone. Emits the
     * recipients, ordered by destination and message, after the claim is committed.
     */
    Flux<QueuedRecipient> claim(int destinations, int limit, Duration lease, Collection<String> busy);

    /** The remote server accepted the message for this recipient. */
    Mono<Void> delivered(long recipientId);

    /** A temporary failure: tried again at {@code nextAttempt}. */
    Mono<Void> deferred(long recipientId, Instant nextAttempt, String error);

    /** A permanent failure (or the message expired): never tried again. */
    Mono<Void> failed(long recipientId, String error);

    /** The sender was told of the delay; it is not told again. */
    Mono<Void> delayNotified(long recipientId);

    /**
     * Removes the message when none of its recipients is still queued (its blob stays for any local copies);
     * emits whether it was removed.
     */
    Mono<Boolean> removeIfFinished(long messageId);

    /**
     * The recipients still queued, their messages and the oldest arrival among them: one aggregate statement, for
     * health checks and the queue gauges (which call it now and then, never per scrape).
     */
    Mono<QueueSummary> summary();

    /** Every queued recipient (state QUEUED), by message id and recipient id. */
    Flux<QueuedRecipient> list();

    /**
     * Makes the queued recipients of one message (or of every message when {@code messageId} is null) due now;
     * emits how many recipients that touched.
     */
    Mono<Long> retryNow(@Nullable Long messageId);

    /** Removes one message and all its recipients without any report; emits whether there was such a message. */
    Mono<Boolean> delete(long messageId);

    /** The queued message's content, in chunks of bounded size, streamed from the database. */
    Flux<ByteBuffer> content(long blobId);

    /**
     * Signals, on this node, each time a committed delivery batch queued something: the runner's cue to look now
     * instead of at its next poll.
     */
    Flux<Long> queued();
}
