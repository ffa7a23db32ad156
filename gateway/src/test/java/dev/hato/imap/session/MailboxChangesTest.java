package dev.hato.imap.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.app.HeldMessage;
import dev.hato.store.directory.Account;
import dev.hato.store.directory.NewAccount;
import dev.hato.store.mail.MailboxInfo;
import dev.hato.store.mail.Mailboxes.MailboxEvent;
import dev.hato.store.mail.Mailboxes.RecentClaim;
import dev.hato.store.mail.MessageMeta;
import dev.hato.store.pg.PgStore;
import dev.hato.store.pg.StoreSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@link MailboxChanges} against the real PostgreSQL store and its real change feed: which requests share a read,
 * and which sessions are spared a \Recent claim. Reads and claims are counted by a delegate around the real store.
 */
class MailboxChangesTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicInteger PEOPLE = new AtomicInteger();

    @TempDir
    static Path data;
    static PgStore store;
    static PostgresqlConnectionFactory sql;

    private CountingMailboxes counting;
    private MailboxChanges changes;
    /** Events as sessions get them; a lock-free queue, since it is filled on the store's event loop. */
    private final Queue<MailboxEvent> seen = new ConcurrentLinkedQueue<>();
    private Disposable watching;

    @BeforeAll
    static void open() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        StoreSettings defaults = StoreSettings.defaults(data);
        store = PgStore.open(new StoreSettings(data, null, null, null, port, defaults.poolSize(),
                defaults.batchWindow(), defaults.batchSize()));
        sql = new PostgresqlConnectionFactory(PostgresqlConnectionConfiguration.builder()
                .host("127.0.0.1").port(port).database("postgres").username("postgres").build());
        store.directory().addDomain("changes.example").block(WAIT);
    }

    @AfterAll
    static void close() {
        store.close();
    }

    @BeforeEach
    void watch() throws Exception {
        counting = new CountingMailboxes(store.mailboxes());
        changes = new MailboxChanges(counting, new SimpleMeterRegistry());
        watching = changes.events().subscribe(seen::add);
        // The feed says when it listens; from then on every commit is seen.
        assertThat(nextEvent()).isEqualTo(MailboxEvent.anything());
    }

    @AfterEach
    void stop() {
        counting.release();
        watching.dispose();
        changes.close();
    }

    @Test
    void aReadStartedBeforeAnEventShouldNotAnswerARequestMadeAfterIt() throws Exception {
        Account ann = person();
        MailboxInfo inbox = inbox(ann);
        long since = append(ann, inbox).modseq();
        awaitEvent(inbox, since);

        counting.hold();
        CompletableFuture<MailboxChanges.Changes> early =
                changes.sharedChangesSince(ann.id(), inbox.id(), since).toFuture();
        await(() -> counting.queriesDone.get() == 1); // its snapshot is taken: nothing after `since` yet
        long later = append(ann, inbox).modseq();
        awaitEvent(inbox, later);
        CompletableFuture<MailboxChanges.Changes> woken =
                changes.sharedChangesSince(ann.id(), inbox.id(), since).toFuture();
        CompletableFuture<MailboxChanges.Changes> alsoWoken =
                changes.sharedChangesSince(ann.id(), inbox.id(), since).toFuture();
        counting.release();

        assertThat(early.get(30, TimeUnit.SECONDS).changed()).as("the read that began before the commit").isEmpty();
        assertThat(uids(woken.get(30, TimeUnit.SECONDS))).as("a session woken by the event sees the message")
                .containsExactly(2L);
        assertThat(alsoWoken.get(30, TimeUnit.SECONDS)).isEqualTo(woken.get());
        assertThat(counting.changedReads).as("one read before the event, one shared by the two after it")
                .hasValue(2);
    }

    @Test
    void aReadShouldReadTheExpungesAfterTheChangesSoThatNoExpungeBelowAChangeItReturnsIsMissed() throws Exception {
        Account hu = person();
        MailboxInfo inbox = inbox(hu);
        long since = inbox.highestModseq();
        long first = append(hu, inbox).uid();
        awaitEvent(inbox, append(hu, inbox).modseq());

        counting.hold();
        CompletableFuture<MailboxChanges.Changes> read = changes.changesSince(hu.id(), inbox.id(), since).toFuture();
        await(() -> counting.queriesDone.get() == 1); // the changed messages are read: both are there
        assertThat(counting.expungedReads).as("no expunge read before the changes are in").hasValue(0);
        store.mailboxes().expunge(hu.id(), inbox.id(), List.of(first)).block(WAIT);
        counting.release();

        MailboxChanges.Changes found = read.get(30, TimeUnit.SECONDS);
        assertThat(uids(found)).containsExactly(first, first + 1);
        // The session goes on from the highest modseq read; the expunge, committed between the two reads, is in it.
        assertThat(found.expunged()).containsExactly(first);
    }

    @Test
    void requestsForTheSameMailboxAndModseqAfterTheSameEventShouldShareOneStoreRead() throws Exception {
        Account bo = person();
        MailboxInfo inbox = inbox(bo);
        long since = inbox.highestModseq();
        long modseq = append(bo, inbox).modseq();
        awaitEvent(inbox, modseq);

        counting.hold();
        List<CompletableFuture<MailboxChanges.Changes>> requests = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            requests.add(changes.sharedChangesSince(bo.id(), inbox.id(), since).toFuture());
        }
        // Another mailbox's event does not stop later requests from joining the read of this one.
        Account cy = person();
        MailboxInfo other = inbox(cy);
        awaitEvent(other, append(cy, other).modseq());
        for (int i = 0; i < 10; i++) {
            requests.add(changes.sharedChangesSince(bo.id(), inbox.id(), since).toFuture());
        }
        // A different modseq is a different read.
        CompletableFuture<MailboxChanges.Changes> fromEarlier =
                changes.sharedChangesSince(bo.id(), inbox.id(), since - 1).toFuture();
        counting.release();

        for (CompletableFuture<MailboxChanges.Changes> request : requests) {
            assertThat(uids(request.get(30, TimeUnit.SECONDS))).containsExactly(1L);
        }
        assertThat(uids(fromEarlier.get(30, TimeUnit.SECONDS))).containsExactly(1L);
        assertThat(counting.changedReads).as("20 requests for (INBOX, modseq), one for an earlier modseq")
                .hasValue(2);
        assertThat(counting.expungedReads).hasValue(2);

        changes.sharedChangesSince(bo.id(), inbox.id(), since).block(WAIT);
        assertThat(counting.changedReads).as("a completed read is not reused").hasValue(3);
    }

    @Test
    void aFeedGapShouldStopEveryReadInFlightFromBeingJoined() throws Exception {
        Account di = person();
        MailboxInfo inbox = inbox(di);
        long since = inbox.highestModseq();

        counting.hold();
        CompletableFuture<MailboxChanges.Changes> before =
                changes.sharedChangesSince(di.id(), inbox.id(), since).toFuture();
        await(() -> counting.queriesDone.get() == 1);
        terminateListen();
        MailboxEvent next;
        do {
            next = nextEvent();
        } while (!next.isAnything());
        CompletableFuture<MailboxChanges.Changes> after =
                changes.sharedChangesSince(di.id(), inbox.id(), since).toFuture();
        counting.release();

        before.get(30, TimeUnit.SECONDS);
        after.get(30, TimeUnit.SECONDS);
        assertThat(counting.changedReads).hasValue(2);
    }

    @Test
    void aWatcherShouldBeCalledForItsMailboxAfterTheEventIsCountedAndForEveryFeedGapUntilItStops() throws Exception {
        Account gil = person();
        MailboxInfo inbox = inbox(gil);
        Account hal = person();
        MailboxInfo other = inbox(hal);
        long before = changes.generation(inbox.id());
        Queue<Long> generationsSeen = new ConcurrentLinkedQueue<>();
        Disposable watch = changes.watch(inbox.id(), () -> generationsSeen.add(changes.generation(inbox.id())));

        awaitEvent(other, append(hal, other).modseq());
        assertThat(generationsSeen).as("another mailbox's event").isEmpty();
        awaitEvent(inbox, append(gil, inbox).modseq());
        assertThat(generationsSeen).hasSize(1);
        assertThat(generationsSeen.peek()).as("counted before the watcher is called").isGreaterThan(before);
        terminateListen();
        MailboxEvent next;
        do {
            next = nextEvent();
        } while (!next.isAnything());
        assertThat(generationsSeen).as("a feed gap concerns every mailbox").hasSize(2);

        watch.dispose();
        awaitEvent(inbox, append(gil, inbox).modseq());
        assertThat(generationsSeen).hasSize(2);
    }

    @Test
    void aSessionWhoseNewMessagesAreAllClaimedShouldBeToldSoWithoutAQuery() {
        Account ed = person();
        MailboxInfo inbox = inbox(ed);
        append(ed, inbox);
        append(ed, inbox);

        Optional<RecentClaim> first = changes.claimFor(ed.id(), inbox.id(), 2).blockOptional(WAIT);
        Optional<RecentClaim> second = changes.claimFor(ed.id(), inbox.id(), 2).blockOptional(WAIT);
        Optional<RecentClaim> older = changes.claimFor(ed.id(), inbox.id(), 1).blockOptional(WAIT);
        assertThat(counting.claims).hasValue(1);
        append(ed, inbox);
        Optional<RecentClaim> third = changes.claimFor(ed.id(), inbox.id(), 3).blockOptional(WAIT);

        assertThat(first).contains(new RecentClaim(1, 3));
        assertThat(second).isEmpty();
        assertThat(older).isEmpty();
        assertThat(third).as("UID 3 is beyond what this node knows is claimed").contains(new RecentClaim(3, 4));
        assertThat(counting.claims).hasValue(2);
    }

    @Test
    void sessionsArrivingWhileAClaimIsInFlightShouldWaitForItAndExactlyOneShouldGetTheMessages() throws Exception {
        Account flo = person();
        MailboxInfo inbox = inbox(flo);
        append(flo, inbox);
        append(flo, inbox);

        counting.hold();
        List<CompletableFuture<Optional<RecentClaim>>> sessions = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            sessions.add(changes.claimFor(flo.id(), inbox.id(), 2).map(Optional::of)
                    .defaultIfEmpty(Optional.empty()).toFuture());
        }
        await(() -> counting.queriesDone.get() == 1); // the claim read UIDNEXT 3
        append(flo, inbox);
        CompletableFuture<Optional<RecentClaim>> newer = changes.claimFor(flo.id(), inbox.id(), 3).map(Optional::of)
                .defaultIfEmpty(Optional.empty()).toFuture();
        assertThat(counting.claims).as("everyone waits for the claim in flight").hasValue(1);
        counting.release();

        List<RecentClaim> got = new ArrayList<>();
        for (CompletableFuture<Optional<RecentClaim>> session : sessions) {
            session.get(30, TimeUnit.SECONDS).ifPresent(got::add);
        }
        assertThat(got).as("RFC 3501 §2.3.2: one session sees UIDs 1 and 2 as recent")
                .containsExactly(new RecentClaim(1, 3));
        assertThat(newer.get(30, TimeUnit.SECONDS)).as("UID 3 came after that claim read UIDNEXT")
                .contains(new RecentClaim(3, 4));
        assertThat(counting.claims).hasValue(2);
    }

    // --- helpers ---------------------------------------------------------------------------------------------

    private static Account person() {
        String authId = "p" + PEOPLE.incrementAndGet() + "-chg";
        return store.directory().addAccount(new NewAccount(authId + "@changes.example", authId, "Person", null))
                .block(WAIT);
    }

    private static MailboxInfo inbox(Account account) {
        return store.mailboxes().find(account.id(), "INBOX").blockOptional(WAIT).orElseThrow();
    }

    private static dev.hato.store.mail.Mailboxes.AppendResult append(Account account, MailboxInfo box) {
        return store.mailboxes().append(account.id(), box.id(), HeldMessage.unique("changes"), HeldMessage.noFacts(),
                        Set.of(), Instant.now())
                .block(WAIT);
    }

    /** The LISTEN connection dies; notifications sent before it is back are lost, so the feed says "anything". */
    private static void terminateListen() {
        Mono.usingWhen(sql.create(), connection -> Flux.from(connection.createStatement(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN %'")
                .execute()).flatMap(result -> result.map((row, meta) -> 1)).then(),
                connection -> connection.close()).block(WAIT);
    }

    /** Waits until the component has republished the event of this commit (so it has counted it). */
    private void awaitEvent(MailboxInfo box, long modseq) throws InterruptedException {
        MailboxEvent wanted = new MailboxEvent(box.id(), modseq);
        MailboxEvent next;
        do {
            next = nextEvent();
        } while (!next.equals(wanted));
    }

    private MailboxEvent nextEvent() throws InterruptedException {
        await(() -> !seen.isEmpty());
        return seen.remove();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("waited too long").isNegative();
            Thread.sleep(5);
        }
    }

    private static List<Long> uids(MailboxChanges.Changes found) {
        return found.changed().stream().map(MessageMeta::uid).toList();
    }

}
