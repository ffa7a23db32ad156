package dev.hato.store.pg;

import dev.hato.store.Delivery;
import dev.hato.store.DeliveryReceipt;
import dev.hato.store.DeliveryWriter;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;

/**
 * Group commit for deliveries (ARCHITECTURE.md, "the hot path"). {@link #deliver} puts the delivery in a
 * lock-free queue and returns a Mono that completes after the commit of the batch that carried it.
 *
 * <p>The first delivery that finds no batch to join waits up to the batch window for company (or until a batch is
 * full); deliveries that arrive while the writer is at its limit of batches in flight wait for one of them to
 * commit and then go together in the next, without a further wait. So under load batches grow by themselves and
 * the database sees about one commit (one fsync) per batch instead of one per message.
 *
 * <p>Up to {@code maxInFlight} batches are written at once, each in its own transaction on its own connection, so
 * that the round trips and the fsync of one batch overlap with the next one's (docs/benchmarks.md: with one batch at
 * a time the chain of round trips, not PostgreSQL's write rate, bounded delivery). Concurrent batches are safe for
 * the same reason batches of several gateway nodes are: BatchWriter takes row locks in one global order (blobs,
 * then mailboxes), and UIDs are reserved under the mailbox row lock, so they stay gap-free; batches that share a
 * mailbox take turns at that lock. Within a batch UIDs follow arrival order; between concurrent batches the order
 * is the order in which they reach the mailbox lock.
 *
 * <p>State: {@code inFlight} counts batches being written; {@code timer} is NONE, ARMED (a window timer will fire)
 * or DUE (the window has passed, or deliveries waited for a batch to end: start the next batch as soon as one
 * may start). Only the thread whose compare-and-set raised {@code inFlight} starts that batch.
 */
final class DeliveryBatcher implements DeliveryWriter {

    private static final Logger log = LoggerFactory.getLogger(DeliveryBatcher.class);

    /** Batches written at once by default: with two, one batch's round trips overlap the other's commit. */
    static final int DEFAULT_MAX_IN_FLIGHT = 2;

    private static final int NONE = 0;
    private static final int ARMED = 1;
    private static final int DUE = 2;

    /** Set in {@link #gate} once closing: no delivery gets in any more. The lower bits count callers inside. */
    private static final long CLOSED = 1L << 62;

    private final BatchWriter writer;
    private final int batchSize;
    private final Duration window;
    private final Scheduler scheduler;
    private final int maxInFlight;

    private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
    /** Never more than the queue holds (incremented after offer), so a positive count means work to take. */
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger timer = new AtomicInteger(NONE);
    private final AtomicLong gate = new AtomicLong();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private final AtomicLong batchesCommitted = new AtomicLong();
    private final AtomicLong batchesFailed = new AtomicLong();
    private volatile boolean draining;

    DeliveryBatcher(BatchWriter writer, int batchSize, Duration window, Scheduler scheduler) {
        this(writer, batchSize, window, scheduler, DEFAULT_MAX_IN_FLIGHT);
    }

    DeliveryBatcher(BatchWriter writer, int batchSize, Duration window, Scheduler scheduler, int maxInFlight) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1, not " + maxInFlight);
        }
        this.writer = writer;
        this.batchSize = batchSize;
        this.window = window;
        this.scheduler = scheduler;
        this.maxInFlight = maxInFlight;
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

    long batchesFailed() {
        return batchesFailed.get();
    }

    /** Decides, after something was queued, a window ended or a batch ended, whether to start batches now or later. */
    private void signal() {
        while (true) {
            int waiting = queued.get();
            int running = inFlight.get();
            if (waiting <= 0 || running >= maxInFlight) {
                return; // nothing to do, or the end of a running batch signals again
            }
            int due = timer.get();
            boolean now = waiting >= batchSize || draining || window.isZero() || due == DUE;
            if (now) {
                if (inFlight.compareAndSet(running, running + 1)) {
                    // A timer still ARMED stays: when it fires it may start the next batch early, which is harmless.
                    timer.compareAndSet(DUE, NONE);
                    runBatch();
                }
                continue; // more may be waiting than one batch takes
            }
            if (due == NONE) {
                if (timer.compareAndSet(NONE, ARMED)) {
                    scheduler.schedule(this::onWindowEnd, window.toNanos(), TimeUnit.NANOSECONDS);
                    return;
                }
                continue;
            }
            return; // ARMED and not full: the timer starts it
        }
    }

    private void onWindowEnd() {
        timer.set(DUE);
        signal();
    }

    /** Called by the thread that raised {@code inFlight} for this batch. */
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
        writer.write(batch.stream().map(Pending::delivery).toList())
                // Off the database connection's event loop: what the waiting sessions do next must not run there,
                // and a synchronous failure must not recurse into the next batch on this stack.
                .publishOn(scheduler)
                .subscribe(outcomes -> {
                    try {
                        if (outcomes.stream().anyMatch(BatchWriter.Stored.class::isInstance)) {
                            batchesCommitted.incrementAndGet();
                        }
                        for (int i = 0; i < batch.size(); i++) {
                            batch.get(i).settle(outcomes.get(i));
                        }
                    } finally {
                        batchEnded();
                    }
                }, error -> {
                    try {
                        batchesFailed.incrementAndGet();
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
            // These waited while batches were written: they go now, without another window.
            timer.set(DUE);
        }
        inFlight.decrementAndGet();
        // Off this stack: a batch that ends synchronously must not recurse into the next one.
        scheduler.schedule(() -> {
            signal();
            if (closing() && inFlight.get() == 0 && queued.get() <= 0) {
                drained.complete(null);
            }
        });
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
            if (inFlight.get() == 0 && queued.get() <= 0) {
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
