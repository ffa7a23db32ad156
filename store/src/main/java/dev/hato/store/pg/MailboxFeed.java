package dev.hato.store.pg;

import dev.hato.store.mail.Mailboxes.MailboxEvent;
import io.r2dbc.postgresql.api.Notification;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

/**
 * The change feed of one {@link PgStore}: one connection of its own (not from the pool, which it would hold for
 * ever) that LISTENs on {@value PgMessageStore#CHANNEL} and fans each notification out to every subscriber
 * (ARCHITECTURE.md: each gateway node LISTENs once). Committed changes from every node on the database arrive
 * here, because writers NOTIFY in the transaction that makes the change.
 *
 * <p>The connection is opened on the first subscription and kept until {@link #close()}. When it drops, it is
 * opened again with exponential backoff (100 ms up to 10 s); notifications sent meanwhile are lost, so every time
 * LISTEN starts (the first time too: a subscriber may have subscribed before LISTEN was active) the feed emits
 * {@link MailboxEvent#anything()}, which tells sessions to look at their mailbox again.
 */
final class MailboxFeed implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MailboxFeed.class);

    /** Events a subscriber may fall behind by before the oldest are dropped (see {@link #events()}). */
    static final int SUBSCRIBER_BUFFER = 10_000;

    private final int subscriberBuffer;

    private final Supplier<Mono<? extends PostgresqlConnection>> connect;
    private final Duration firstBackoff;
    private final Sinks.Many<MailboxEvent> sink = Sinks.many().multicast().directBestEffort();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile @Nullable Disposable listening;
    private volatile boolean closed;
    /** LISTEN is in effect on a live connection. */
    private volatile boolean active;

    MailboxFeed(Supplier<Mono<? extends PostgresqlConnection>> connect, Duration firstBackoff) {
        this(connect, firstBackoff, SUBSCRIBER_BUFFER);
    }

    MailboxFeed(Supplier<Mono<? extends PostgresqlConnection>> connect, Duration firstBackoff, int subscriberBuffer) {
        this.connect = connect;
        this.firstBackoff = firstBackoff;
        this.subscriberBuffer = subscriberBuffer;
    }

    /**
     * Hot: events committed after the subscription. The first event a subscriber gets is
     * {@link MailboxEvent#anything()}, once LISTEN is active (at once when it already is): from then on it misses
     * nothing but what a lost connection loses, which is followed by another {@link MailboxEvent#anything()}. Each
     * subscriber has its own buffer of {@value #SUBSCRIBER_BUFFER} events (by default); one that falls further behind
     * loses the oldest and gets {@link MailboxEvent#anything()} in their place, so it still knows to look again.
     */
    Flux<MailboxEvent> events() {
        if (started.compareAndSet(false, true) && !closed) {
            listening = listen().subscribe(this::emit, error -> log.error("mailbox feed stopped", error));
        }
        return Flux.defer(() -> {
            AtomicBoolean lost = new AtomicBoolean();
            // merge subscribes to the live feed first, then reads the flag: a LISTEN that becomes active after that
            // read announces itself on the live feed, one before it is announced here.
            return Flux.merge(sink.asFlux(), Mono.fromSupplier(() -> active ? MailboxEvent.anything() : null))
                    .onBackpressureBuffer(subscriberBuffer, dropped -> lost.set(true),
                            BufferOverflowStrategy.DROP_OLDEST)
                    // What was dropped is replaced by "anything may have changed" before the next event. Prefetch 1,
                    // so that the buffer above is the only one that grows.
                    .concatMapIterable(event -> lost.getAndSet(false) ? List.of(MailboxEvent.anything(), event)
                            : List.of(event), 1);
        });
    }

    private void emit(MailboxEvent event) {
        // One producer (the listening chain), so emissions never race; FAIL_ZERO_SUBSCRIBER is fine: nobody waits.
        sink.tryEmitNext(event);
    }

    private Flux<MailboxEvent> listen() {
        return Flux.usingWhen(Mono.defer(connect),
                        connection -> Flux.from(connection.createStatement("LISTEN " + PgMessageStore.CHANNEL)
                                        .execute())
                                .concatMap(result -> result.getRowsUpdated())
                                .doOnComplete(() -> active = true)
                                .thenMany(Flux.just(MailboxEvent.anything())
                                        .concatWith(connection.getNotifications()
                                                .<MailboxEvent>handle((notification, out) -> {
                                                    MailboxEvent event = parse(notification);
                                                    if (event != null) {
                                                        out.next(event);
                                                    }
                                                })))
                                // Notifications end only when the connection does: reconnect.
                                .concatWith(Flux.error(() -> new IllegalStateException("LISTEN connection closed"))),
                        PostgresqlConnection::close,
                        (connection, error) -> connection.close().onErrorResume(ignored -> Mono.empty()),
                        PostgresqlConnection::close)
                .retryWhen(Retry.backoff(Long.MAX_VALUE, firstBackoff)
                        .maxBackoff(Duration.ofSeconds(10))
                        .transientErrors(true) // a connection that worked starts the backoff afresh
                        .filter(error -> !closed)
                        .doBeforeRetry(signal -> active = false)
                        .doBeforeRetry(signal -> log.warn("mailbox feed: LISTEN connection lost ({}), reconnecting",
                                signal.failure().toString())));
    }

    private static @Nullable MailboxEvent parse(Notification notification) {
        String payload = notification.getParameter();
        int colon = payload == null ? -1 : payload.indexOf(':');
        if (colon < 0) {
            log.warn("mailbox feed: ignoring notification {}", payload);
            return null;
        }
        try {
            return new MailboxEvent(Long.parseLong(payload.substring(0, colon)),
                    Long.parseLong(payload.substring(colon + 1)));
        } catch (NumberFormatException e) {
            log.warn("mailbox feed: ignoring notification {}", payload);
            return null;
        }
    }

    @Override
    public void close() {
        closed = true;
        Disposable current = listening;
        if (current != null) {
            current.dispose();
        }
        sink.tryEmitComplete();
    }
}
