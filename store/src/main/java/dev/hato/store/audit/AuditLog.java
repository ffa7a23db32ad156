package dev.hato.store.audit;

import java.time.Instant;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Every login attempt: who typed what, from where, over which protocol, and what they were answered.
 *
 * <p>Recording never slows or fails a login: {@link #record} only queues the event and completes at once, and
 * never errors. Queued events are written in batches shortly afterwards (and on close). An event that cannot be
 * kept (the queue is full, the store is closing, or its batch failed to write) is dropped and counted in
 * {@link #droppedEvents()}: an audit gap is logged and measured, never turned into a failed login.
 */
public interface AuditLog {

    /** Queues the event; completes immediately and never errors. */
    Mono<Void> record(AuthEvent event);

    /**
     * Recorded events, newest first: those whose login matches {@code authId} ignoring case (all when null), made
     * at or after {@code since} (any time when null), at most {@code limit} (at least 1). An event becomes visible
     * once its batch is written, a fraction of a second after it was recorded.
     */
    Flux<AuthEvent> query(@Nullable String authId, @Nullable Instant since, int limit);

    /** Events dropped since start: queue full, store closing, or a failed write. A meter, never reset. */
    long droppedEvents();
}
