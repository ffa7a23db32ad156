package dev.hato.store.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.audit.AuditLog;
import dev.hato.store.audit.AuthEvent.Result;
import dev.hato.store.audit.AuthEvent;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The audit log against the embedded PostgreSQL: batching, queries, what is dropped and what close writes. */
class PgAuditLogTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final AtomicInteger NAMES = new AtomicInteger();

    @RegisterExtension
    static final EmbeddedStore STORE = new EmbeddedStore();

    private static String fresh(String prefix) {
        return prefix + "-" + NAMES.incrementAndGet() + "-" + System.nanoTime();
    }

    private static AuthEvent event(String authId, Instant at, Result result) {
        return new AuthEvent(at, "pop3", "192.0.2.7", authId, result, null);
    }

    private static List<AuthEvent> awaitEvents(AuditLog log, String authId, int expected) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<AuthEvent> events;
        do {
            events = log.query(authId, null, 10_000).collectList().block(WAIT);
            if (events.size() >= expected) {
                return events;
            }
            sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("expected " + expected + " events for " + authId + ", found " + events.size());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void manyEventsRecordedTogetherShouldBeWrittenInAFewMultiRowInserts() {
        String prefix = fresh("batch");
        long batchesBefore = ((PgAuditLog) STORE.store().auditLog()).batchesWritten();
        Instant now = Instant.now();
        for (int i = 0; i < 300; i++) {
            StepVerifier.create(STORE.store().auditLog().record(event(prefix + "-" + i, now, Result.REJECTED)))
                    .verifyComplete();
        }

        long deadline = System.nanoTime() + WAIT.toNanos();
        while (TestSql.count(STORE.store(), "SELECT count(*) FROM auth_event WHERE auth_id LIKE $1", prefix + "-%") < 300) {
            assertThat(System.nanoTime()).as("all 300 events written in time").isLessThan(deadline);
            sleep(20);
        }
        // Rows inserted by one statement share its transaction id.
        long transactions = TestSql.count(STORE.store(),
                "SELECT count(DISTINCT xmin::text) FROM auth_event WHERE auth_id LIKE $1", prefix + "-%");
        assertThat(transactions).isBetween(1L, 3L);
        assertThat(((PgAuditLog) STORE.store().auditLog()).batchesWritten() - batchesBefore).isBetween(1L, 3L);
    }

    @Test
    void eventsShouldComeBackNewestFirstWithEveryField() {
        String authId = fresh("fields");
        Instant t0 = Instant.parse("2026-11-29T10:15:02.123456Z");
        AuthEvent first = new AuthEvent(t0, "pop3", "127.0.0.1", authId, Result.REJECTED, null);
        AuthEvent second = new AuthEvent(t0.plusSeconds(5), "smtp", "2001:db8:0:0:0:0:0:1", authId, Result.SUCCESS,
                42L);
        AuthEvent third = new AuthEvent(t0.plusSeconds(9), "pop3", "127.0.0.1", authId, Result.LOCKED, null);
        STORE.store().auditLog().record(second).block();
        STORE.store().auditLog().record(first).block();
        STORE.store().auditLog().record(third).block();

        assertThat(awaitEvents(STORE.store().auditLog(), authId, 3)).containsExactly(third, second, first);
    }

    @Test
    void aQueryShouldMatchTheAuthIdIgnoringCaseAndKeepOnlyEventsSinceTheGivenTime() {
        String authId = fresh("abcd.e.fg");
        Instant t0 = Instant.parse("2026-11-01T00:00:00Z");
        for (int day = 0; day < 5; day++) {
            STORE.store().auditLog().record(event(day % 2 == 0 ? authId : authId.toUpperCase(), t0.plus(Duration.ofDays(day)),
                    Result.REJECTED)).block();
        }
        STORE.store().auditLog().record(event(fresh("someone-else"), t0.plus(Duration.ofDays(4)), Result.REJECTED)).block();
        awaitEvents(STORE.store().auditLog(), authId, 5);

        List<AuthEvent> since = STORE.store().auditLog().query(authId.toUpperCase(), t0.plus(Duration.ofDays(3)), 100)
                .collectList().block(WAIT);
        assertThat(since).extracting(AuthEvent::at)
                .containsExactly(t0.plus(Duration.ofDays(4)), t0.plus(Duration.ofDays(3)));
        assertThat(since).extracting(AuthEvent::authId).containsExactly(authId, authId.toUpperCase());

        assertThat(STORE.store().auditLog().query(authId, null, 2).collectList().block(WAIT)).extracting(AuthEvent::at)
                .containsExactly(t0.plus(Duration.ofDays(4)), t0.plus(Duration.ofDays(3)));
        assertThat(STORE.store().auditLog().query(null, t0.plus(Duration.ofDays(4)), 10_000).collectList().block(WAIT))
                .extracting(AuthEvent::authId).contains(authId).doesNotContain(authId.toUpperCase());
    }

    @Test
    void aLoginAsTypedShouldBeStoredTruncatedAndWithoutNulWhateverItContains() {
        String prefix = fresh("long");
        String typed = prefix + "\0" + "x".repeat(400);
        STORE.store().auditLog().record(event(typed, Instant.now(), Result.REJECTED)).block();

        List<AuthEvent> events = awaitEvents(STORE.store().auditLog(), prefix + "\uFFFD" + "x".repeat(254 - prefix.length()), 1);
        assertThat(events.get(0).authId()).hasSize(AuthEvent.MAX_AUTH_ID_LENGTH).startsWith(prefix + "\uFFFDxxx");
    }

    @Test
    void aNonPositiveLimitShouldBeRefused() {
        StepVerifier.create(STORE.store().auditLog().query(null, null, 0)).verifyError(IllegalArgumentException.class);
    }

    @Test
    void aFullQueueShouldDropAndCountTheEventsWithoutFailingTheCaller() {
        String authId = fresh("full");
        PgAuditLog log = new PgAuditLog(new Database(STORE.store().connections()), 5, 100, Duration.ofHours(1),
                Schedulers.parallel());
        for (int i = 0; i < 8; i++) {
            StepVerifier.create(log.record(event(authId, Instant.now(), Result.REJECTED))).verifyComplete();
        }
        assertThat(log.droppedEvents()).isEqualTo(3);

        log.close(WAIT);

        assertThat(STORE.store().auditLog().query(authId, null, 100).collectList().block(WAIT)).hasSize(5);
        StepVerifier.create(log.record(event(authId, Instant.now(), Result.REJECTED))).verifyComplete();
        assertThat(log.droppedEvents()).isEqualTo(4);
    }

    @Test
    void closeShouldWriteWhatIsQueuedInBatchesOfAtMostTheMaximum() {
        String authId = fresh("close");
        PgAuditLog log = new PgAuditLog(new Database(STORE.store().connections()), 100, 7, Duration.ofHours(1),
                Schedulers.parallel());
        for (int i = 0; i < 20; i++) {
            log.record(event(authId, Instant.now(), Result.SUCCESS)).block();
        }

        log.close(WAIT);

        assertThat(STORE.store().auditLog().query(authId, null, 100).collectList().block(WAIT)).hasSize(20);
        assertThat(log.batchesWritten()).isEqualTo(3);
        assertThat(log.droppedEvents()).isZero();
    }

    @Test
    void closingTheStoreShouldFlushItsAuditLogBeforeThePoolCloses() {
        String authId = fresh("store-close");
        // A second store on the same data directory attaches to the running server: cheap to open and close.
        PgStore second = PgStore.open(StoreSettings.defaults(STORE.dataDirectory()));
        second.auditLog().record(event(authId, Instant.now(), Result.UNAVAILABLE)).block();
        second.close();

        assertThat(STORE.store().auditLog().query(authId, null, 10).collectList().block(WAIT))
                .extracting(AuthEvent::result).containsExactly(Result.UNAVAILABLE);
    }

    @Test
    void recordingWhileTheDatabaseIsDownShouldCompleteAndCountTheLostEvents() {
        PgAuditLog log = new PgAuditLog(new Database(new DownDatabase()), 100, 100, Duration.ofMillis(20),
                Schedulers.parallel());
        try {
            for (int i = 0; i < 10; i++) {
                StepVerifier.create(log.record(event("down", Instant.now(), Result.REJECTED)))
                        .expectComplete()
                        .verify(Duration.ofSeconds(1));
            }
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (log.droppedEvents() < 10) {
                assertThat(System.nanoTime()).as("failed writes counted in time").isLessThan(deadline);
                sleep(10);
            }
            assertThat(log.droppedEvents()).isEqualTo(10);
            assertThat(log.batchesWritten()).isZero();
            StepVerifier.create(log.query(null, null, 10)).verifyError(IllegalStateException.class);
        } finally {
            log.close(Duration.ofSeconds(5));
        }
    }

    /** A database that refuses every connection, as one that is down does. */
    private static final class DownDatabase implements ConnectionFactory {
        @Override
        public Publisher<? extends Connection> create() {
            return Mono.error(new IllegalStateException("connection refused"));
        }

        @Override
        public ConnectionFactoryMetadata getMetadata() {
            return () -> "down";
        }
    }
}
