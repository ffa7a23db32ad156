package dev.hato.store.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.directory.Account;
import dev.hato.store.directory.DirectoryException;
import dev.hato.store.directory.NewAccount;
import dev.hato.store.mail.Copy;
import dev.hato.store.mail.Delivery;
import dev.hato.store.mail.DeliveryReceipt;
import dev.hato.store.mail.MessageContent;
import dev.hato.store.mail.MessageMeta;
import dev.hato.store.mail.TestContent;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.postgresql.api.PostgresqlResult;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Wrapped;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The delivery hot path against a real PostgreSQL. */
class PgDeliveryBatcherTest {

    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    static final EmbeddedStore STORE = new EmbeddedStore();

    private static Account freshAccount() {
        String domain = "b" + NEXT.incrementAndGet() + ".example";
        if (!STORE.store().directory().isLocalDomain(domain).block()) {
            STORE.store().directory().addDomain(domain).block();
        }
        String local = "p" + NEXT.incrementAndGet();
        return STORE.store().directory().addAccount(new NewAccount(local + "@" + domain, local + ".auth", local, null)).block();
    }

    private static Delivery delivery(MessageContent content, Account... recipients) {
        return new Delivery(content, java.util.Arrays.stream(recipients).map(Account::id).toList(), Instant.now());
    }

    private static long inbox(Account account) {
        return STORE.store().mailboxes().find(account.id(), "INBOX").block().id();
    }

    private static List<MessageMeta> messagesOf(Account account) {
        return STORE.store().mailboxes().messages(account.id(), inbox(account)).collectList().block();
    }

    /** A batcher on the store's pool that waits long enough to put everything a test sends into one batch. */
    private static DeliveryBatcher slowBatcher() {
        return new DeliveryBatcher(new BatchWriter(new Database(STORE.store().connections())), 1000, Duration.ofMillis(400),
                Schedulers.parallel());
    }

    @Test
    void twoHundredConcurrentDeliveriesShouldAllBeStoredWithGapFreeUidsInFewerTransactions() {
        List<Account> accounts = List.of(freshAccount(), freshAccount(), freshAccount(), freshAccount(), freshAccount());
        long committedBefore = STORE.store().batchesCommitted();

        List<DeliveryReceipt> receipts = Flux.range(0, 200)
                .flatMap(i -> {
                    // Some deliveries go to two accounts, as a message with two local recipients does.
                    List<Long> to = i % 7 == 0
                            ? List.of(accounts.get(i % 5).id(), accounts.get((i + 1) % 5).id())
                            : List.of(accounts.get(i % 5).id());
                    return Mono.defer(() -> STORE.store().deliveries().deliver(
                                    new Delivery(TestContent.unique("concurrent " + i), to, Instant.now())))
                            .subscribeOn(Schedulers.parallel());
                }, 200)
                .collectList()
                .block(WAIT);

        assertThat(receipts).hasSize(200);
        long transactions = STORE.store().batchesCommitted() - committedBefore;
        assertThat(transactions).isPositive().isLessThan(200);
        Map<Long, List<Long>> receiptUids = new HashMap<>();
        receipts.forEach(r -> r.messages().forEach(m -> receiptUids.computeIfAbsent(m.accountId(), a -> new ArrayList<>())
                .add(m.uid())));
        int stored = 0;
        for (Account account : accounts) {
            List<Long> uids = messagesOf(account).stream().map(MessageMeta::uid).toList();
            assertThat(uids).as("UIDs of %s", account.address())
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, uids.size()).boxed().toList());
            assertThat(receiptUids.get(account.id())).containsExactlyInAnyOrderElementsOf(uids);
            assertThat(STORE.store().mailboxes().find(account.id(), "INBOX").block().uidNext()).isEqualTo(uids.size() + 1);
            stored += uids.size();
        }
        assertThat(stored).isEqualTo(200 + (200 + 6) / 7);
    }

    @Test
    void copiesShouldGoToTheirMailboxesWithTheirFlagsAndAMissingOneToTheInboxUnlessCreated() {
        Account ann = freshAccount();
        Account ben = freshAccount();
        long work = STORE.store().mailboxes().create(ann.id(), "Work", null).block(WAIT).id();
        List<Copy> copies = List.of(
                new Copy(ann.id(), "Work", List.of("\\seen", "$Important"), false),
                new Copy(ann.id(), "work", List.of(), false),           // names are exact: no such mailbox, INBOX
                new Copy(ann.id(), null, List.of("\\Flagged"), false),  // the same INBOX: one copy, flags merged
                new Copy(ann.id(), "Lists/日本語", List.of("not valid("), true),
                new Copy(ann.id(), "a//b", List.of(), true),            // not a valid name: INBOX
                new Copy(ben.id(), "Missing", List.of(), false));       // missing, not created: INBOX
        DeliveryReceipt receipt = STORE.store().deliveries().deliver(new Delivery(TestContent.unique("filed"), copies,
                Instant.now(), dev.hato.store.queue.Envelope.NONE, List.of(), null, false)).block(WAIT);

        assertThat(receipt.messages()).hasSize(4);
        // The receipt names where each copy went, for the mail log.
        assertThat(receipt.messages()).extracting(m -> receipt.mailboxNames().get(m.mailboxId()))
                .containsExactlyInAnyOrder("Work", "INBOX", "Lists/日本語", "INBOX");
        assertThat(STORE.store().mailboxes().messages(ann.id(), work).collectList().block(WAIT))
                .singleElement().satisfies(m -> assertThat(m.flags()).containsExactlyInAnyOrder("\\Seen", "$Important"));
        assertThat(messagesOf(ann)).singleElement()
                .satisfies(m -> assertThat(m.flags()).containsExactly("\\Flagged"));
        long created = STORE.store().mailboxes().find(ann.id(), "Lists/日本語").block(WAIT).id();
        assertThat(STORE.store().mailboxes().messages(ann.id(), created).collectList().block(WAIT))
                .singleElement().satisfies(m -> assertThat(m.flags()).isEmpty());
        assertThat(STORE.store().mailboxes().find(ben.id(), "Missing").blockOptional(WAIT)).isEmpty();
        assertThat(messagesOf(ben)).hasSize(1);
        // The folder counts follow the flags the copies were stored with.
        assertThat(STORE.store().mailboxes().status(ann.id(), work).block(WAIT).unseen()).isZero();
        assertThat(STORE.store().mailboxes().status(ann.id(), inbox(ann)).block(WAIT).unseen()).isEqualTo(1);
    }

    @Test
    void theSameContentForThreeAccountsShouldBeStoredAsOneBlob() {
        Account a = freshAccount();
        Account b = freshAccount();
        Account c = freshAccount();
        Account later = freshAccount();
        TestContent content = TestContent.unique("list post");

        DeliveryReceipt receipt = STORE.store().deliveries().deliver(delivery(content, a, b, c)).block(WAIT);
        DeliveryReceipt again = STORE.store().deliveries().deliver(delivery(content, later)).block(WAIT);

        assertThat(receipt.messages()).extracting(MessageMeta::accountId).containsExactly(a.id(), b.id(), c.id());
        assertThat(receipt.messages()).extracting(MessageMeta::blobId).containsOnly(receipt.blobId());
        assertThat(again.blobId()).isEqualTo(receipt.blobId());
        assertThat(TestSql.count(STORE.store(), "SELECT count(*) FROM blob WHERE sha256 = $1",
                ByteBuffer.wrap(content.sha256()))).isEqualTo(1);
    }

    @Test
    void theSameContentInConcurrentDeliveriesShouldStillBeOneBlob() {
        List<Account> accounts = List.of(freshAccount(), freshAccount(), freshAccount());
        TestContent content = TestContent.random(300 * 1024); // large: the chunked path

        List<DeliveryReceipt> receipts = Flux.fromIterable(accounts)
                .flatMap(account -> STORE.store().deliveries().deliver(delivery(content, account)))
                .collectList()
                .block(WAIT);

        assertThat(receipts).extracting(DeliveryReceipt::blobId).containsOnly(receipts.get(0).blobId());
        assertThat(TestSql.count(STORE.store(), "SELECT count(*) FROM blob WHERE sha256 = $1",
                ByteBuffer.wrap(content.sha256()))).isEqualTo(1);
    }

    @Test
    void anAccountNamedTwiceInOneDeliveryShouldGetTheMessageOnce() {
        Account a = freshAccount();
        Account b = freshAccount();

        DeliveryReceipt receipt = STORE.store().deliveries().deliver(new Delivery(TestContent.unique("twice"),
                List.of(a.id(), b.id(), a.id()), Instant.now())).block(WAIT);

        assertThat(receipt.messages()).extracting(MessageMeta::accountId).containsExactly(a.id(), b.id());
        assertThat(messagesOf(a)).hasSize(1);
    }

    @Test
    void aThreeMebibyteMessageShouldBeStoredInChunksAndReadBackIdentically() {
        Account account = freshAccount();
        // Arriving in pieces that do not divide the chunk size, as network reads do.
        TestContent content = TestContent.random(3 * 1024 * 1024).chunkedBy(10_000);

        DeliveryReceipt receipt = STORE.store().deliveries().deliver(delivery(content, account)).block(WAIT);

        List<List<Object>> chunks = TestSql.rows(STORE.store(), "SELECT seq, length(data) FROM blob_chunk WHERE blob_id = $1"
                + " ORDER BY seq", receipt.blobId());
        assertThat(chunks).hasSize(12);
        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.get(1)).isEqualTo(256 * 1024));
        assertThat(TestContent.concat(STORE.store().blobs().content(receipt.blobId()).collectList().block(WAIT)))
                .isEqualTo(content.bytes());
        assertThat(receipt.messages().get(0).size()).isEqualTo(3 * 1024 * 1024);
    }

    @Test
    void aDeliveryToAnUnknownAccountShouldFailAloneWhileTheRestOfItsBatchIsStored() {
        Account a = freshAccount();
        Account b = freshAccount();
        DeliveryBatcher batcher = slowBatcher();
        long committedBefore = batcher.batchesCommitted();

        CompletableFuture<DeliveryReceipt> good = batcher.deliver(delivery(TestContent.unique("good"), a)).toFuture();
        CompletableFuture<DeliveryReceipt> unknown = batcher.deliver(new Delivery(TestContent.unique("lost"),
                List.of(b.id(), Long.MAX_VALUE), Instant.now())).toFuture();
        CompletableFuture<DeliveryReceipt> alsoGood = batcher.deliver(delivery(TestContent.unique("good 2"), b)).toFuture();

        assertThat(good).succeedsWithin(WAIT);
        assertThat(alsoGood).succeedsWithin(WAIT);
        assertThat(unknown).failsWithin(WAIT).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOfSatisfying(DirectoryException.class,
                        e -> assertThat(e.reason()).isEqualTo(DirectoryException.Reason.UNKNOWN_ACCOUNT));
        assertThat(batcher.batchesCommitted() - committedBefore).isEqualTo(1);
        assertThat(messagesOf(b)).hasSize(1);
        batcher.close(WAIT);
    }

    @Test
    void aBatchThatFailsShouldFailEachOfItsDeliveriesStoreNothingAndLetLaterDeliveriesSucceed() {
        Account a = freshAccount();
        Account b = freshAccount();
        DeliveryBatcher batcher = slowBatcher();
        // A large message is read inside the transaction; its spool failing mid-way fails the whole batch.
        MessageContent unreadable = TestContent.failing(1024 * 1024,
                new UncheckedIOException(new java.io.IOException("spool file vanished")));

        List<CompletableFuture<DeliveryReceipt>> batch = List.of(
                batcher.deliver(delivery(TestContent.unique("one"), a)).toFuture(),
                batcher.deliver(delivery(TestContent.random(500 * 1024), b)).toFuture(),
                batcher.deliver(delivery(unreadable, a, b)).toFuture(),
                batcher.deliver(delivery(TestContent.unique("two"), b)).toFuture());

        assertThat(batch).allSatisfy(f -> assertThat(f).failsWithin(WAIT));
        assertThat(batcher.batchesFailed()).isEqualTo(1);
        assertThat(messagesOf(a)).isEmpty();
        assertThat(messagesOf(b)).isEmpty();
        assertThat(STORE.store().mailboxes().find(a.id(), "INBOX").block().uidNext()).isEqualTo(1);

        DeliveryReceipt later = batcher.deliver(delivery(TestContent.unique("later"), a, b)).block(WAIT);

        assertThat(later.messages()).extracting(MessageMeta::uid).containsExactly(1L, 1L);
        batcher.close(WAIT);
    }

    @Test
    void anAccountRemovedWhileItsDeliveryIsBeingWrittenShouldFailThatBatchAndStoreNothing() {
        Account leaving = freshAccount();
        Account other = freshAccount();
        Connection remover = Mono.from(STORE.store().connections().create()).block(WAIT);
        try {
            // The removal holds the INBOX row locked until it commits; the delivery finds the INBOX (the removal
            // is not committed yet), then waits for that lock inside its transaction.
            Mono.from(remover.beginTransaction()).block(WAIT);
            Flux.from(remover.createStatement("DELETE FROM account WHERE id = $1").bind(0, leaving.id()).execute())
                    .flatMap(io.r2dbc.spi.Result::getRowsUpdated).blockLast(WAIT);
            CompletableFuture<DeliveryReceipt> delivery = STORE.store().deliveries().deliver(new Delivery(
                    TestContent.unique("too late"), List.of(other.id(), leaving.id()), Instant.now())).toFuture();
            awaitALockWait();

            Mono.from(remover.commitTransaction()).block(WAIT);

            assertThat(delivery).failsWithin(WAIT).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .havingCause().isInstanceOf(IllegalStateException.class).withMessageContaining("removed");
        } finally {
            Mono.from(remover.close()).block(WAIT);
        }
        assertThat(messagesOf(other)).isEmpty();
        assertThat(STORE.store().deliveries().deliver(delivery(TestContent.unique("next"), other)).block(WAIT).messages())
                .extracting(MessageMeta::uid).containsExactly(1L);
    }

    /** Waits until some statement of the store waits for a row lock. */
    private static void awaitALockWait() {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (TestSql.count(STORE.store(), "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'hato'"
                + " AND wait_event_type = 'Lock'") == 0) {
            assertThat(System.nanoTime()).as("a delivery waiting for a lock").isLessThan(deadline);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void aSmallMessageWhoseBytesDoNotMatchItsHashShouldBeRefusedAlone() {
        Account a = freshAccount();
        DeliveryBatcher batcher = slowBatcher();

        CompletableFuture<DeliveryReceipt> wrong = batcher.deliver(delivery(TestContent.unique("x").withWrongSha256(), a))
                .toFuture();
        CompletableFuture<DeliveryReceipt> right = batcher.deliver(delivery(TestContent.unique("y"), a)).toFuture();

        assertThat(wrong).failsWithin(WAIT).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOf(IllegalArgumentException.class);
        assertThat(right).succeedsWithin(WAIT);
        batcher.close(WAIT);
    }

    @Test
    void aLargeMessageWhoseBytesDoNotMatchItsHashShouldNotBeStored() {
        Account a = freshAccount();
        TestContent lying = TestContent.random(600 * 1024).withWrongSha256();

        StepVerifier.create(STORE.store().deliveries().deliver(delivery(lying, a)))
                .expectError(IllegalArgumentException.class)
                .verify(WAIT);
        assertThat(TestSql.count(STORE.store(), "SELECT count(*) FROM blob WHERE sha256 = $1",
                ByteBuffer.wrap(lying.sha256()))).isZero();
        assertThat(messagesOf(a)).isEmpty();
    }

    @Test
    void closeShouldStoreWhatIsQueuedAndRefuseWhatComesAfter() {
        Account a = freshAccount();
        DeliveryBatcher batcher = slowBatcher();
        List<CompletableFuture<DeliveryReceipt>> queued = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            queued.add(batcher.deliver(delivery(TestContent.unique("queued " + i), a)).toFuture());
        }

        batcher.close(WAIT);

        assertThat(queued).allSatisfy(f -> assertThat(f).isCompleted().isNotCompletedExceptionally());
        assertThat(messagesOf(a)).hasSize(10);
        StepVerifier.create(batcher.deliver(delivery(TestContent.unique("late"), a)))
                .verifyError(IllegalStateException.class);
    }

    @Test
    void aCommittedDeliveryShouldNotifyListenersWithMailboxAndModseq() {
        Account a = freshAccount();
        long inbox = inbox(a);
        Connection pooled = Mono.from(STORE.store().connections().create()).block(WAIT);
        try {
            @SuppressWarnings("unchecked")
            var connection = (PostgresqlConnection) ((Wrapped<Connection>) pooled).unwrap();
            Flux.from(connection.createStatement("LISTEN hato_mailbox").execute())
                    .flatMap(PostgresqlResult::getRowsUpdated).then().block(WAIT);
            var notification = connection.getNotifications()
                    .filter(n -> String.valueOf(n.getParameter()).startsWith(inbox + ":"))
                    .next()
                    .toFuture();

            DeliveryReceipt receipt = STORE.store().deliveries().deliver(delivery(TestContent.unique("ping"), a)).block(WAIT);

            assertThat(notification).succeedsWithin(WAIT)
                    .satisfies(n -> assertThat(n.getParameter()).isEqualTo(inbox + ":"
                            + receipt.messages().get(0).modseq()));
            Flux.from(connection.createStatement("UNLISTEN hato_mailbox").execute())
                    .flatMap(PostgresqlResult::getRowsUpdated).then().block(WAIT);
        } finally {
            Mono.from(pooled.close()).block(WAIT);
        }
    }

    @Test
    void aStreamOfSequentialDeliveriesShouldEachCompleteWithoutWaitingForCompany() {
        Account a = freshAccount();
        long started = System.nanoTime();

        for (int i = 0; i < 20; i++) {
            STORE.store().deliveries().deliver(delivery(TestContent.unique("seq " + i), a)).block(WAIT);
        }

        // 20 lonely deliveries wait at most the 2 ms window each; generous bound for a slow CI machine.
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(messagesOf(a)).hasSize(20);
    }

    @Test
    void deliveriesOfRandomSizesShouldAllReadBackIdentically() {
        Account a = freshAccount();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        List<TestContent> contents = new ArrayList<>();
        for (int size : new int[] {1, 255, 256 * 1024 - 1, 256 * 1024, 256 * 1024 + 1, 512 * 1024,
                random.nextInt(1, 2 * 1024 * 1024)}) {
            contents.add(TestContent.random(size).chunkedBy(random.nextInt(1000, 70_000)));
        }

        List<DeliveryReceipt> receipts = Flux.fromIterable(contents)
                .flatMapSequential(content -> STORE.store().deliveries().deliver(delivery(content, a)))
                .collectList()
                .block(WAIT);

        for (int i = 0; i < contents.size(); i++) {
            byte[] read = TestContent.concat(STORE.store().blobs().content(receipts.get(i).blobId()).collectList().block(WAIT));
            assertThat(read).as("message of %d bytes", contents.get(i).size()).isEqualTo(contents.get(i).bytes());
        }
    }
}
