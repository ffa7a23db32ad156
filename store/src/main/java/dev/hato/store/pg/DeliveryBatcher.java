package dev.hato.store.pg;

import dev.hato.store.mail.BatchStats;
import dev.hato.store.mail.Delivery;
import dev.hato.store.mail.DeliveryReceipt;
import dev.hato.store.mail.DeliveryWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * Group commit for deliveries (ARCHITECTURE.md, "the hot path"). {@link #deliver} puts the delivery in a
 * lock-free queue and returns a Mono that completes after the commit of the batch that carried it.
 *
 * <p>One batch is written at a time. The first delivery into an idle batcher waits up to the batch window for
 * company (or until the batch is full); deliveries that arrive while a batch is being written wait for it to
 * commit and then go together in the next one, without a further wait. So under load batches grow by themselves
 * and the database sees about one commit (one fsync) per batch instead of one per message.
 *
 * <p>States: IDLE (nothing queued, or queued items not yet noticed), WAITING (a timer will start the batch),
 * RUNNING (a batch is being written; its end looks at the queue again). Only the thread that moves the state to
 * RUNNING starts a batch, so batches never overlap.
 */
final class DeliveryBatcher implements DeliveryWriter {

    private static final Logger log = LoggerFactory.getLogger(DeliveryBatcher.class);

    private static final int IDLE = 0;
    private static final int WAITING = 1;
    private static final int RUNNING = 2;

    /** Set in {@link #gate} once closing: no delivery gets in any more. The lower bits count callers inside. */
    private static final long CLOSED = 1L << 62;

    private final BatchWriter writer;
    private final int batchSize;
    private final Duration window;
    private final Scheduler scheduler;
    private final LongConsumer onQueued;

    private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
    /** Never more than the queue holds (incremented after offer), so a positive count means work to take. */
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger state = new AtomicInteger(IDLE);
    private final AtomicLong gate = new AtomicLong();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private final AtomicLong batchesCommitted = new AtomicLong();
    private final AtomicLong batchesFailed = new AtomicLong();
    private volatile boolean draining;
    /** Best effort: a batch ends on one thread at a time, and a meter that misses one is no harm. */
    private final Sinks.Many<BatchStats> batches = Sinks.many().multicast().directBestEffort();

    DeliveryBatcher(BatchWriter writer, int batchSize, Duration window, Scheduler scheduler) {
        this(writer, batchSize, window, scheduler, queued -> { });
    }

    /** {@code onQueued} hears of each message queued for outbound recipients, after its commit. */
    DeliveryBatcher(BatchWriter writer, int batchSize, Duration window, Scheduler scheduler, LongConsumer onQueued) {
        this.onQueued = onQueued;
        this.writer = writer;
        this.batchSize = batchSize;
        this.window = window;
        this.scheduler = scheduler;
    }

    @Override
    public Mono<DeliveryReceipt> deliver(Delivery delivery) {
        Objects.requireNonNull(delivery, "delivery");
        return Mono.create(sink -> {
            if ((gate.incrementAndGet() & CLOSED) != 0) {
                gate.decrementAndGet();
                sink.error(new IllegalStateException("the store is closing; the message was not stored"));
                return;
            }
            try {
                Pending pending = new Pending(delivery, sink);
                // A delivery cancelled before its batch starts is left out of it; once the batch has started, the
                // outcome simply goes nowhere.
                sink.onCancel(() -> pending.cancelled.set(true));
                queue.offer(pending);
                queued.incrementAndGet();
                signal();
            } finally {
                gate.decrementAndGet();
            }
        });
    }

    /** Transactions committed so far; fewer than deliveries when batching works. */
    long batchesCommitted() {
        return batchesCommitted.get();
    }

    /** Each batch written from now on, as it ends (on the thread that ends it: subscribers must be quick). */
    Flux<BatchStats> batches() {
        return batches.asFlux();
    }

    long batchesFailed() {
        return batchesFailed.get();
    }

    /** Decides, after something was queued or a batch ended, whether to start a batch now, later, or not at all. */
    private void signal() {
        while (true) {
            int current = state.get();
            int waiting = queued.get();
            if (current == RUNNING || waiting <= 0) {
                return;
            }
            boolean now = waiting >= batchSize || draining || window.isZero();
            if (now) {
                if (state.compareAndSet(current, RUNNING)) {
                    runBatch();
                    return;
                }
            } else if (current == IDLE) {
                if (state.compareAndSet(IDLE, WAITING)) {
                    // A stale timer (its batch already started because it filled up) may fire during a later
                    // WAITING period and start that batch early: harmless.
                    scheduler.schedule(this::onWindowEnd, window.toNanos(), TimeUnit.NANOSECONDS);
                    return;
                }
            } else {
                return; // WAITING and not full: the timer starts it
            }
        }
    }

    private void onWindowEnd() {
        if (state.compareAndSet(WAITING, RUNNING)) {
            runBatch();
        }
    }

    /** Called by the thread that moved the state to RUNNING. */
    private void runBatch() {
        List<Pending> batch = new ArrayList<>(Math.min(batchSize, Math.max(queued.get(), 1)));
        while (batch.size() < batchSize) {
            Pending pending = queue.poll();
            if (pending == null) {
                break;
            }
            queued.decrementAndGet();
            if (!pending.cancelled.get()) {
                batch.add(pending);
            }
        }
        if (batch.isEmpty()) {
            batchEnded();
            return;
        }
        long started = System.nanoTime();
        writer.write(batch.stream().map(Pending::delivery).toList())
                // Off the database connection's event loop: what the waiting sessions do next must not run there,
                // and a synchronous failure must not recurse into the next batch on this stack.
                .publishOn(scheduler)
                .subscribe(outcomes -> {
                    try {
                        boolean committed = outcomes.stream().anyMatch(BatchWriter.Stored.class::isInstance);
                        if (committed) {
                            batchesCommitted.incrementAndGet();
                        }
                        batches.tryEmitNext(new BatchStats(batch.size(), Duration.ofNanos(System.nanoTime() - started),
                                committed));
                        for (int i = 0; i < batch.size(); i++) {
                            batch.get(i).settle(outcomes.get(i));
                        }
                        for (BatchWriter.Outcome outcome : outcomes) {
                            if (outcome instanceof BatchWriter.Stored stored
                                    && stored.receipt().queuedMessageId() != null) {
                                onQueued.accept(stored.receipt().queuedMessageId());
                            }
                        }
                    } finally {
                        batchEnded();
                    }
                }, error -> {
                    try {
                        batchesFailed.incrementAndGet();
                        batches.tryEmitNext(new BatchStats(batch.size(), Duration.ofNanos(System.nanoTime() - started),
                                false));
                        log.warn("a batch of {} deliveries failed and was rolled back: {}", batch.size(),
                                error.toString());
                        batch.forEach(pending -> pending.sink().error(error));
                    } finally {
                        batchEnded();
                    }
                });
    }

    private void batchEnded() {
        if (queued.get() > 0) {
            // These waited while the batch was written: they go now, without another window.
            scheduler.schedule(this::runBatch);
            return;
        }
        state.set(IDLE);
        signal();
        if (closing() && state.get() == IDLE && queued.get() <= 0) {
            drained.complete(null);
        }
    }

    private boolean closing() {
        return (gate.get() & CLOSED) != 0;
    }

    /**
     * Stops taking deliveries (later ones error with {@link IllegalStateException}) and waits until every queued
     * one is committed or failed. What is still queued after {@code timeout} is failed, never silently dropped.
     */
    void close(Duration timeout) {
        if ((gate.getAndUpdate(g -> g | CLOSED) & CLOSED) == 0) {
            // Callers already past the gate finish queueing (a few instructions); then the queue is complete.
            while ((gate.get() & ~CLOSED) != 0) {
                Thread.onSpinWait();
            }
            draining = true;
            signal();
            if (state.get() == IDLE && queued.get() <= 0) {
                drained.complete(null);
            }
        }
        try {
            drained.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("deliveries still not written {} after close; failing the queued ones", timeout);
            Pending pending;
            while ((pending = queue.poll()) != null) {
                queued.decrementAndGet();
                pending.sink().error(new IllegalStateException("the store closed before the message was stored"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Pending(Delivery delivery, MonoSink<DeliveryReceipt> sink, AtomicBoolean cancelled) {
        Pending(Delivery delivery, MonoSink<DeliveryReceipt> sink) {
            this(delivery, sink, new AtomicBoolean());
        }

        void settle(BatchWriter.Outcome outcome) {
            if (outcome instanceof BatchWriter.Stored stored) {
                sink.success(stored.receipt());
            } else if (outcome instanceof BatchWriter.Rejected rejected) {
                sink.error(rejected.error());
            }
        }
    }
}
