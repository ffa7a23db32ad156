package dev.hato.store.pg;

import dev.hato.store.audit.AuditLog;
import dev.hato.store.audit.AuthEvent;
import io.r2dbc.spi.Readable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The audit log in {@code auth_event}. {@link #record} puts the event in a bounded lock-free queue (no lock, so a
 * login on an event loop never parks); every {@code interval} the queue is drained into multi-row INSERTs of at
 * most {@code maxRows} rows, one statement at a time. Close stops the timer and writes what is left.
 *
 * <p>What is lost is counted, never retried and never reported to the caller: events arriving while the queue
 * holds {@code capacity} events or after close, and the events of a batch whose INSERT failed (database down).
 * Retrying would only fill the queue while the database is away; the login itself never waits for any of this.
 */
final class PgAuditLog implements AuditLog {

    private static final Logger log = LoggerFactory.getLogger(PgAuditLog.class);

    static final int DEFAULT_CAPACITY = 10_000;
    /** Six parameters a row: 6,000 of PostgreSQL's 65,535 bind parameters. */
    static final int DEFAULT_MAX_ROWS = 1_000;
    static final Duration DEFAULT_INTERVAL = Duration.ofMillis(100);

    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_LIMIT = 100_000;
    private static final String COLUMNS = "at, protocol, client_ip, auth_id, result, account_id";

    private final Database db;
    private final int capacity;
    private final int maxRows;
    private final Scheduler scheduler;
    private final Disposable timer;

    private final Queue<AuthEvent> queue = new ConcurrentLinkedQueue<>();
    /** Never less than the queue holds (incremented before offer), so the capacity is a hard bound. */
    private final AtomicInteger queued = new AtomicInteger();
    /** One INSERT at a time; the timer skips a tick while one is running. */
    private final Semaphore writing = new Semaphore(1);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong batchesWritten = new AtomicLong();
    private volatile boolean closed;

    PgAuditLog(Database db, Scheduler scheduler) {
        this(db, DEFAULT_CAPACITY, DEFAULT_MAX_ROWS, DEFAULT_INTERVAL, scheduler);
    }

    PgAuditLog(Database db, int capacity, int maxRows, Duration interval, Scheduler scheduler) {
        if (capacity < 1 || maxRows < 1 || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("capacity, maxRows and interval must be positive");
        }
        this.db = db;
        this.capacity = capacity;
        this.maxRows = maxRows;
        this.scheduler = scheduler;
        long millis = interval.toMillis();
        this.timer = scheduler.schedulePeriodically(this::drain, millis, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public Mono<Void> record(AuthEvent event) {
        Objects.requireNonNull(event, "event");
        return Mono.fromRunnable(() -> offer(event));
    }

    private void offer(AuthEvent event) {
        if (closed) {
            drop(1, "the store is closing");
            return;
        }
        if (queued.incrementAndGet() > capacity) {
            queued.decrementAndGet();
            drop(1, "the queue is full (" + capacity + " events)");
            return;
        }
        queue.offer(event);
    }

    private void drop(int events, String why) {
        long before = dropped.getAndAdd(events);
        // The first loss, then about one line per thousand: a flood of dropped events must not flood the log.
        if (before == 0 || before / 1000 != (before + events) / 1000) {
            log.warn("audit events dropped: {} ({} in total)", why, before + events);
        }
    }

    @Override
    public Flux<AuthEvent> query(@Nullable String authId, @Nullable Instant since, int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            return Flux.error(new IllegalArgumentException("limit must be 1.." + MAX_LIMIT + ", not " + limit));
        }
        // The conditions are left out rather than written "$1 IS NULL OR ...", so each shape can use its index.
        List<Object> parameters = new ArrayList<>();
        List<String> conditions = new ArrayList<>();
        if (authId != null) {
            parameters.add(authId);
            conditions.add("lower(auth_id) = lower($" + parameters.size() + ")");
        }
        if (since != null) {
            parameters.add(since);
            conditions.add("at >= $" + parameters.size());
        }
        parameters.add(limit);
        String sql = "SELECT " + COLUMNS + " FROM auth_event"
                + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions))
                + " ORDER BY at DESC, id DESC LIMIT $" + parameters.size();
        return db.query(sql, PgAuditLog::event, parameters.toArray());
    }

    @Override
    public long droppedEvents() {
        return dropped.get();
    }

    /** Multi-row INSERTs that committed; fewer than events when batching works. */
    long batchesWritten() {
        return batchesWritten.get();
    }

    /** On the timer: writes one batch, then the next at once while a full one is waiting. */
    private void drain() {
        if (queued.get() <= 0 || !writing.tryAcquire()) {
            return;
        }
        List<AuthEvent> batch = take();
        if (batch.isEmpty()) {
            writing.release();
            return;
        }
        write(batch).subscribe(null, error -> afterWrite(), this::afterWrite);
    }

    private void afterWrite() {
        writing.release();
        if (queued.get() >= maxRows && !closed) {
            scheduler.schedule(this::drain);
        }
    }

    private List<AuthEvent> take() {
        List<AuthEvent> batch = new ArrayList<>(Math.min(maxRows, Math.max(queued.get(), 1)));
        AuthEvent event;
        while (batch.size() < maxRows && (event = queue.poll()) != null) {
            queued.decrementAndGet();
            batch.add(event);
        }
        return batch;
    }

    /** One INSERT; completes empty whether it worked or not (a failure is counted and logged). */
    private Mono<Void> write(List<AuthEvent> batch) {
        StringBuilder sql = new StringBuilder(64 + batch.size() * 40)
                .append("INSERT INTO auth_event (").append(COLUMNS).append(") VALUES ");
        Object[] parameters = new Object[batch.size() * 6];
        for (int i = 0; i < batch.size(); i++) {
            AuthEvent event = batch.get(i);
            int p = i * 6;
            sql.append(i == 0 ? "(" : ", (");
            for (int c = 1; c <= 6; c++) {
                sql.append('$').append(p + c).append(c < 6 ? ", " : ")");
            }
            parameters[p] = event.at();
            parameters[p + 1] = event.protocol();
            parameters[p + 2] = event.clientIp();
            parameters[p + 3] = event.authId();
            parameters[p + 4] = event.result().code();
            parameters[p + 5] = Database.nullable(event.accountId(), Long.class);
        }
        return db.update(sql.toString(), parameters)
                .timeout(WRITE_TIMEOUT)
                .doOnNext(rows -> batchesWritten.incrementAndGet())
                .onErrorResume(error -> {
                    drop(batch.size(), "writing a batch of " + batch.size() + " failed: " + error);
                    return Mono.empty();
                })
                .then();
    }

    /**
     * Stops the timer and writes what is queued, waiting up to {@code timeout} in all. Later events are dropped.
     * Blocks; never throws (the store closes whatever happens here). Idempotent.
     */
    void close(Duration timeout) {
        if (closed) {
            return;
        }
        closed = true;
        timer.dispose();
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean acquired = false;
        try {
            acquired = writing.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (!acquired) {
                log.warn("an audit batch was still being written {} after close", timeout);
            }
            while (acquired && queued.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                write(take()).block(Duration.ofNanos(left));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("flushing the audit log on close failed: {}", e.toString());
        } finally {
            int left = 0;
            while (queue.poll() != null) {
                queued.decrementAndGet();
                left++;
            }
            if (left > 0) {
                drop(left, "the store closed before they were written");
            }
            if (acquired) {
                writing.release();
            }
        }
    }

    private static AuthEvent event(Readable row) {
        return new AuthEvent(Database.required(row, "at", Instant.class),
                Database.required(row, "protocol", String.class),
                Database.required(row, "client_ip", String.class),
                Database.required(row, "auth_id", String.class),
                AuthEvent.Result.ofCode(Database.required(row, "result", String.class)),
                row.get("account_id", Long.class));
    }
}
