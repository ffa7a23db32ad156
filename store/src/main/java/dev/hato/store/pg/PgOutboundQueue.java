package dev.hato.store.pg;

import dev.hato.store.queue.Envelope;
import dev.hato.store.queue.OutboundQueue;
import dev.hato.store.queue.OutboundRecipient;
import dev.hato.store.queue.QueuedMessage;
import dev.hato.store.queue.QueueSummary;
import dev.hato.store.queue.QueuedRecipient;
import io.r2dbc.spi.Readable;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The outbound queue on PostgreSQL. A claim is one statement: it picks the due recipients of the destinations due
 * first, locks them with {@code FOR UPDATE SKIP LOCKED} (a concurrent claimer skips them instead of waiting) and
 * moves their {@code next_attempt} past the lease before it commits. A second claimer that reaches such a row after
 * that commit re-checks it (READ COMMITTED re-evaluates the condition on the new row version) and finds it not due.
 */
final class PgOutboundQueue implements OutboundQueue {

    /** Last errors are what a remote server said; a hostile one could say a lot. */
    private static final int MAX_ERROR_LENGTH = 1000;

    private static final String COLUMNS = "r.id, r.message_id, r.address, r.domain, r.notify, r.orcpt, r.state,"
            + " r.transport, r.attempts, r.next_attempt, r.last_error, r.delay_notified, m.blob_id, m.size, m.sender,"
            + " m.envid, m.ret, m.utf8, m.body, m.arrival";

    // A destination is the recipient's domain, or 'legacy:NAME' when it goes to a legacy system's MTA (V22).
    private static final String DESTINATION = "coalesce('" + QueuedRecipient.LEGACY_PREFIX
            + "' || r.transport, r.domain)";

    private static final String CLAIM = "WITH d AS ("
            + "  SELECT " + DESTINATION + " AS destination FROM queue_recipient r WHERE r.state = 'queued'"
            + "  AND r.next_attempt <= clock_timestamp() AND " + DESTINATION + " <> ALL($4)"
            + "  GROUP BY 1 ORDER BY min(r.next_attempt) LIMIT $1),"
            + " p AS ("
            + "  SELECT r.id FROM queue_recipient r WHERE r.state = 'queued' AND r.next_attempt <= clock_timestamp()"
            + "  AND " + DESTINATION + " IN (SELECT destination FROM d) ORDER BY " + DESTINATION + ", r.message_id,"
            + "  r.id LIMIT $2"
            + "  FOR UPDATE OF r SKIP LOCKED)"
            + " UPDATE queue_recipient r SET next_attempt = clock_timestamp() + $3 * interval '1 microsecond'"
            + " FROM p, queue_message m WHERE r.id = p.id AND m.id = r.message_id"
            + " RETURNING " + COLUMNS;

    private final Database db;
    private final PgBlobs blobs;
    private final Sinks.Many<Long> queued = Sinks.many().multicast().directBestEffort();

    PgOutboundQueue(Database db, PgBlobs blobs) {
        this.db = db;
        this.blobs = blobs;
    }

    /** Called by the delivery batcher after a commit that queued the message {@code messageId}. */
    void queuedCommitted(long messageId) {
        // Best effort from any thread: a wake-up lost to a concurrent emission is made up by the next poll.
        queued.tryEmitNext(messageId);
    }

    @Override
    public Flux<QueuedRecipient> claim(int destinations, int limit, Duration lease, Collection<String> busy) {
        if (destinations < 1 || limit < 1) {
            return Flux.error(new IllegalArgumentException("claim at least one destination and one recipient"));
        }
        Objects.requireNonNull(lease, "lease");
        if (lease.isNegative() || lease.isZero()) {
            return Flux.error(new IllegalArgumentException("a claim needs a positive lease, not " + lease));
        }
        // The statement runs on its own (auto-commit): the rows come back only once the claim is committed.
        return db.query(CLAIM, PgOutboundQueue::recipient, destinations, limit, micros(lease),
                        busy.toArray(String[]::new))
                .sort(Comparator.comparing(QueuedRecipient::destination)
                        .thenComparingLong(recipient -> recipient.message().id())
                        .thenComparingLong(QueuedRecipient::id));
    }

    @Override
    public Mono<Void> delivered(long recipientId) {
        return db.update("UPDATE queue_recipient SET state = 'delivered', attempts = attempts + 1, last_error = NULL"
                + " WHERE id = $1 AND state = 'queued'", recipientId).then();
    }

    @Override
    public Mono<Void> deferred(long recipientId, Instant nextAttempt, String error) {
        return db.update("UPDATE queue_recipient SET attempts = attempts + 1, next_attempt = $2, last_error = $3"
                + " WHERE id = $1 AND state = 'queued'", recipientId, nextAttempt, truncate(error)).then();
    }

    @Override
    public Mono<Void> failed(long recipientId, String error) {
        return db.update("UPDATE queue_recipient SET state = 'failed', attempts = attempts + 1, last_error = $2"
                + " WHERE id = $1 AND state = 'queued'", recipientId, truncate(error)).then();
    }

    @Override
    public Mono<Void> delayNotified(long recipientId) {
        return db.update("UPDATE queue_recipient SET delay_notified = true WHERE id = $1", recipientId).then();
    }

    @Override
    public Mono<Boolean> removeIfFinished(long messageId) {
        // Locks the message row first, so a concurrent removal of the same message waits and then finds nothing.
        return db.update("DELETE FROM queue_message m WHERE m.id = $1 AND NOT EXISTS"
                        + " (SELECT 1 FROM queue_recipient r WHERE r.message_id = m.id AND r.state = 'queued')",
                messageId).map(removed -> removed > 0);
    }

    @Override
    public Flux<QueuedRecipient> list() {
        return db.query("SELECT " + COLUMNS + " FROM queue_recipient r JOIN queue_message m ON m.id = r.message_id"
                + " WHERE r.state = 'queued' ORDER BY r.message_id, r.id", PgOutboundQueue::recipient);
    }

    @Override
    public Mono<QueueSummary> summary() {
        return db.query("SELECT count(*) AS recipients, count(DISTINCT r.message_id) AS messages,"
                        + " min(m.arrival) AS oldest FROM queue_recipient r JOIN queue_message m ON m.id = r.message_id"
                        + " WHERE r.state = 'queued'",
                row -> new QueueSummary(Database.required(row, "recipients", Long.class),
                        Database.required(row, "messages", Long.class), row.get("oldest", Instant.class)))
                .single();
    }

    @Override
    public Mono<Long> retryNow(@Nullable Long messageId) {
        return messageId == null
                ? db.update("UPDATE queue_recipient SET next_attempt = clock_timestamp() WHERE state = 'queued'")
                : db.update("UPDATE queue_recipient SET next_attempt = clock_timestamp()"
                        + " WHERE state = 'queued' AND message_id = $1", messageId);
    }

    @Override
    public Mono<Boolean> delete(long messageId) {
        return db.update("DELETE FROM queue_message WHERE id = $1", messageId).map(deleted -> deleted > 0);
    }

    @Override
    public Flux<ByteBuffer> content(long blobId) {
        return blobs.content(blobId);
    }

    @Override
    public Flux<Long> queued() {
        return queued.asFlux();
    }

    private static String truncate(String error) {
        return error.length() <= MAX_ERROR_LENGTH ? error : error.substring(0, MAX_ERROR_LENGTH);
    }

    private static long micros(Duration duration) {
        return Math.multiplyExact(duration.getSeconds(), 1_000_000L) + duration.getNano() / 1_000;
    }

    private static QueuedRecipient recipient(Readable row) {
        String ret = row.get("ret", String.class);
        Envelope.Body body = Envelope.Body.of(Database.required(row, "body", String.class));
        Envelope envelope = new Envelope(Database.required(row, "sender", String.class),
                row.get("envid", String.class), ret == null ? null : Envelope.Ret.valueOf(ret),
                Database.required(row, "utf8", Boolean.class), body == null ? Envelope.Body.SEVEN_BIT : body);
        QueuedMessage message = new QueuedMessage(Database.required(row, "message_id", Long.class),
                Database.required(row, "blob_id", Long.class), Database.required(row, "size", Long.class),
                envelope, Database.required(row, "arrival", Instant.class));
        Set<OutboundRecipient.Notify> notify = EnumSet.noneOf(OutboundRecipient.Notify.class);
        for (String value : Database.required(row, "notify", String[].class)) {
            notify.add(OutboundRecipient.Notify.valueOf(value));
        }
        return new QueuedRecipient(Database.required(row, "id", Long.class), message,
                new OutboundRecipient(Database.required(row, "address", String.class), notify,
                        row.get("orcpt", String.class), null, row.get("transport", String.class)),
                Database.required(row, "domain", String.class),
                QueuedRecipient.State.valueOf(Database.required(row, "state", String.class).toUpperCase(Locale.ROOT)),
                Database.required(row, "attempts", Integer.class),
                Database.required(row, "next_attempt", Instant.class),
                row.get("last_error", String.class),
                Database.required(row, "delay_notified", Boolean.class));
    }
}
