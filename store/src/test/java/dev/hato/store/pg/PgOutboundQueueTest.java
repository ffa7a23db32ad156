package dev.hato.store.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hato.store.directory.Account;
import dev.hato.store.directory.NewAccount;
import dev.hato.store.legacy.LegacyBackend;
import dev.hato.store.legacy.Route;
import dev.hato.store.mail.BatchStats;
import dev.hato.store.mail.Delivery;
import dev.hato.store.mail.DeliveryReceipt;
import dev.hato.store.mail.TestContent;
import dev.hato.store.queue.Envelope;
import dev.hato.store.queue.OutboundRecipient.Notify;
import dev.hato.store.queue.OutboundRecipient;
import dev.hato.store.queue.QueueSummary;
import dev.hato.store.queue.QueuedRecipient;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The outbound queue against a real PostgreSQL: rows written by the delivery batcher, claims, outcomes, and two
 * claimers racing. Each test uses its own destination domains and claims with a lease long enough that what other
 * tests leave due cannot confuse it: it looks only at its own recipients.
 */
class PgOutboundQueueTest {

    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration LEASE = Duration.ofMinutes(10);

    @RegisterExtension
    static final EmbeddedStore STORE = new EmbeddedStore();

    private static String remoteDomain() {
        return "r" + NEXT.incrementAndGet() + ".remote.example";
    }

    private static Account localAccount() {
        String domain = "q" + NEXT.incrementAndGet() + ".example";
        STORE.store().directory().addDomain(domain).block(WAIT);
        String local = "p" + NEXT.incrementAndGet();
        return STORE.store().directory().addAccount(new NewAccount(local + "@" + domain, local + ".auth", local, null))
                .block(WAIT);
    }

    private static List<QueuedRecipient> queuedFor(String domain) {
        return STORE.store().outboundQueue().list().filter(r -> r.domain().equals(domain)).collectList().block(WAIT);
    }

    /** Claims until nothing is due any more, keeping only this test's recipients. */
    private static List<QueuedRecipient> claimAll(String domain) {
        List<QueuedRecipient> mine = new ArrayList<>();
        while (true) {
            List<QueuedRecipient> claimed = STORE.store().outboundQueue().claim(50, 500, LEASE, List.of()).collectList().block(WAIT);
            if (claimed.isEmpty()) {
                return mine;
            }
            claimed.stream().filter(r -> r.domain().equals(domain)).forEach(mine::add);
        }
    }

    @Test
    void aDeliveryWithOnlyOutboundRecipientsShouldStoreTheBlobAndQueueEachRecipientWithItsEnvelope() {
        String domain = remoteDomain();
        TestContent content = TestContent.unique("outbound only");
        Envelope envelope = new Envelope("sender@q.example", "env-1", Envelope.Ret.HDRS, true,
                Envelope.Body.EIGHT_BIT_MIME);
        Instant arrival = Instant.now();

        DeliveryReceipt receipt = STORE.store().deliveries().deliver(new Delivery(content, List.of(), arrival, envelope,
                List.of(new OutboundRecipient("a@" + domain, Set.of(Notify.SUCCESS, Notify.FAILURE), "rfc822;x@y.example"),
                        new OutboundRecipient("B@" + domain.toUpperCase())))).block(WAIT);

        assertThat(receipt.messages()).isEmpty();
        assertThat(receipt.queuedMessageId()).isNotNull();
        List<QueuedRecipient> queued = queuedFor(domain);
        assertThat(queued).extracting(r -> r.recipient().address()).containsExactly("a@" + domain, "B@" + domain.toUpperCase());
        QueuedRecipient first = queued.get(0);
        assertThat(first.message().id()).isEqualTo(receipt.queuedMessageId());
        assertThat(first.message().envelope()).isEqualTo(envelope);
        assertThat(first.message().blobId()).isEqualTo(receipt.blobId());
        assertThat(first.message().size()).isEqualTo(content.size());
        assertThat(first.recipient().notifyOn()).containsExactlyInAnyOrder(Notify.SUCCESS, Notify.FAILURE);
        assertThat(first.recipient().orcpt()).isEqualTo("rfc822;x@y.example");
        assertThat(first.state()).isEqualTo(QueuedRecipient.State.QUEUED);
        assertThat(first.attempts()).isZero();
        assertThat(queued.get(1).recipient().notifyOn()).isEmpty();
        assertThat(queued.get(1).recipient().orcpt()).isNull();
        assertThat(queued.get(1).domain()).isEqualTo(domain);
        ByteBuffer stored = ByteBuffer.allocate((int) content.size());
        STORE.store().outboundQueue().content(first.message().blobId()).toIterable().forEach(stored::put);
        assertThat(stored.array()).isEqualTo(content.bytes());
    }

    @Test
    void localAndOutboundRecipientsOfOneBatchShouldBeWrittenTogether() {
        Account local = localAccount();
        String domain = remoteDomain();
        List<DeliveryReceipt> receipts = Flux.range(0, 20)
                .flatMap(i -> STORE.store().deliveries().deliver(new Delivery(TestContent.unique("mixed " + i),
                        i % 2 == 0 ? List.of(local.id()) : List.of(), Instant.now(),
                        new Envelope("s" + i + "@q.example", null, null, false, Envelope.Body.SEVEN_BIT),
                        List.of(new OutboundRecipient("m" + i + "@" + domain)))), 20)
                .collectList().block(WAIT);

        assertThat(receipts).allSatisfy(r -> assertThat(r.queuedMessageId()).isNotNull());
        assertThat(receipts.stream().mapToInt(r -> r.messages().size()).sum()).isEqualTo(10);
        List<QueuedRecipient> queued = queuedFor(domain);
        assertThat(queued).hasSize(20);
        for (QueuedRecipient recipient : queued) {
            String i = recipient.recipient().address().substring(1, recipient.recipient().address().indexOf('@'));
            assertThat(recipient.message().envelope().sender()).isEqualTo("s" + i + "@q.example");
        }
        assertThat(queued.stream().map(r -> r.message().id()).distinct()).hasSize(20);
    }

    @Test
    void twoClaimersRacingShouldNeverGetTheSameRecipient() {
        String domain = remoteDomain();
        List<OutboundRecipient> recipients = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            recipients.add(new OutboundRecipient("race" + i + "@" + domain));
        }
        Flux.range(0, 10).flatMap(i -> STORE.store().deliveries().deliver(new Delivery(TestContent.unique("race " + i),
                List.of(), Instant.now(), Envelope.NONE, recipients))).then().block(WAIT);

        // Each claimer takes a few at a time, as fast as it can, until nothing is due.
        Mono<List<Long>> claimer = Flux.defer(() -> STORE.store().outboundQueue().claim(3, 7, LEASE, List.of()))
                .collectList()
                .repeat()
                .takeUntil(List::isEmpty)
                .flatMapIterable(list -> list)
                .filter(r -> r.domain().equals(domain))
                .map(QueuedRecipient::id)
                .collectList()
                .subscribeOn(Schedulers.parallel());
        List<List<Long>> both = Flux.merge(claimer, claimer).collectList().block(WAIT);

        List<Long> all = new ArrayList<>(both.get(0));
        all.addAll(both.get(1));
        assertThat(all).hasSize(400).doesNotHaveDuplicates();
        assertThat(new HashSet<>(all)).isEqualTo(new HashSet<>(queuedFor(domain).stream().map(QueuedRecipient::id).toList()));
    }

    @Test
    void aClaimShouldGroupRecipientsByDestinationAndHideThemUntilTheLeaseRunsOut() {
        String domain = remoteDomain();
        STORE.store().deliveries().deliver(new Delivery(TestContent.unique("grouped"), List.of(), Instant.now(),
                Envelope.NONE, List.of(new OutboundRecipient("x@" + domain), new OutboundRecipient("y@" + domain))))
                .block(WAIT);

        List<QueuedRecipient> claimed = claimAll(domain);
        assertThat(claimed).extracting(r -> r.recipient().address()).containsExactly("x@" + domain, "y@" + domain);
        assertThat(claimed.get(0).nextAttempt()).isAfter(Instant.now().plus(LEASE).minusSeconds(60));
        assertThat(claimAll(domain)).isEmpty();

        STORE.store().outboundQueue().retryNow(claimed.get(0).message().id()).block(WAIT);
        assertThat(claimAll(domain)).hasSize(2);
    }

    @Test
    void theSummaryShouldCountWhatStillWaitsAndTheOldestArrival() {
        var queue = STORE.store().outboundQueue();
        QueueSummary before = queue.summary().block(WAIT);
        String domain = remoteDomain();
        Instant longAgo = Instant.parse("2001-02-03T04:05:06Z");
        List<BatchStats> batches = new java.util.concurrent.CopyOnWriteArrayList<>();
        var watching = STORE.store().deliveryBatches().subscribe(batches::add);
        try {
            STORE.store().deliveries().deliver(new Delivery(TestContent.unique("summary"), List.of(), longAgo,
                    Envelope.NONE, List.of(new OutboundRecipient("s1@" + domain), new OutboundRecipient("s2@" + domain),
                            new OutboundRecipient("s3@" + domain)))).block(WAIT);
        } finally {
            watching.dispose();
        }
        assertThat(batches).singleElement().satisfies(batch -> {
            assertThat(batch.messages()).isEqualTo(1);
            assertThat(batch.committed()).isTrue();
            assertThat(batch.took()).isPositive();
        });

        QueueSummary queued = queue.summary().block(WAIT);
        assertThat(queued.recipients()).isEqualTo(before.recipients() + 3);
        assertThat(queued.messages()).isEqualTo(before.messages() + 1);
        assertThat(queued.oldestArrival()).isEqualTo(longAgo);

        List<QueuedRecipient> claimed = claimAll(domain);
        queue.delivered(claimed.get(0).id()).block(WAIT);
        queue.failed(claimed.get(1).id(), "550 5.1.1 no such user").block(WAIT);
        assertThat(queue.summary().block(WAIT).recipients()).as("delivered and failed ones wait no more")
                .isEqualTo(before.recipients() + 1);
        queue.delivered(claimed.get(2).id()).block(WAIT);
        QueueSummary after = queue.summary().block(WAIT);
        assertThat(after.recipients()).isEqualTo(before.recipients());
        assertThat(after.messages()).isEqualTo(before.messages());
        assertThat(after.oldestArrival()).isEqualTo(before.oldestArrival());
    }

    @Test
    void recipientsOfALegacySystemShouldFormOneDestinationWhateverTheirDomainsAndKeepItsName() {
        String name = "old" + NEXT.incrementAndGet();
        LegacyBackend.Server imap = new LegacyBackend.Server("127.0.0.1", 993, LegacyBackend.Tls.IMPLICIT);
        STORE.store().legacyBackends().put(new LegacyBackend(name, imap, null,
                new LegacyBackend.Server("127.0.0.1", 25, LegacyBackend.Tls.STARTTLS), null, null, null, null), false)
                .block(WAIT);
        Account first = localAccount();
        Account second = localAccount();
        String destination = QueuedRecipient.LEGACY_PREFIX + name;
        STORE.store().deliveries().deliver(new Delivery(TestContent.unique("legacy"), List.of(), Instant.now(),
                Envelope.NONE, List.of(new OutboundRecipient(first.address()).viaLegacy(name),
                        new OutboundRecipient(second.address()).viaLegacy(name)))).block(WAIT);

        List<QueuedRecipient> busy = STORE.store().outboundQueue().claim(50, 500, LEASE, List.of(destination))
                .collectList().block(WAIT);
        assertThat(busy).noneMatch(r -> r.destination().equals(destination));

        List<QueuedRecipient> claimed = new ArrayList<>();
        List<QueuedRecipient> batch;
        while (!(batch = STORE.store().outboundQueue().claim(50, 500, LEASE, List.of()).collectList().block(WAIT))
                .isEmpty()) {
            batch.stream().filter(r -> r.destination().equals(destination)).forEach(claimed::add);
        }
        assertThat(claimed).extracting(r -> r.recipient().address())
                .containsExactlyInAnyOrder(first.address(), second.address());
        assertThat(claimed).allSatisfy(r -> {
            assertThat(r.recipient().transport()).isEqualTo(name);
            assertThat(r.domain()).isEqualTo(QueuedRecipient.domainOf(r.recipient().address()));
        });
        // The queued mail keeps the system: it cannot be removed under it (V22, ON DELETE RESTRICT).
        assertThatThrownBy(() -> STORE.store().legacyBackends().remove(name).block(WAIT))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("hato queue");
        STORE.store().outboundQueue().delete(claimed.get(0).message().id()).block(WAIT);
        assertThat(STORE.store().legacyBackends().remove(name).block(WAIT)).isTrue();
    }

    @Test
    void theAddressLookupShouldCarryTheAccountsRoute() {
        String name = "route" + NEXT.incrementAndGet();
        LegacyBackend.Server imap = new LegacyBackend.Server("127.0.0.1", 993, LegacyBackend.Tls.IMPLICIT);
        STORE.store().legacyBackends().put(new LegacyBackend(name, imap, null, null, null, null, null, null), false)
                .block(WAIT);
        Account account = localAccount();
        assertThat(STORE.store().addresses().route(account.address()).block(WAIT).legacyBackend()).isNull();

        STORE.store().legacyBackends().setDomainRoute(account.domainId(), name).block(WAIT);
        var byDomain = STORE.store().addresses().route(account.address()).block(WAIT);
        assertThat(byDomain.legacyBackend()).isEqualTo(name);
        assertThat(byDomain.legacySmtp()).isFalse();

        STORE.store().legacyBackends().setRoute(account.id(), Route.SYNCING).block(WAIT);
        assertThat(STORE.store().addresses().route(account.address()).block(WAIT).legacyBackend()).isNull();
        STORE.store().legacyBackends().setRoute(account.id(), null).block(WAIT);
        STORE.store().legacyBackends().setDomainRoute(account.domainId(), null).block(WAIT);
        assertThat(STORE.store().legacyBackends().remove(name).block(WAIT)).isTrue();
    }

    @Test
    void aBusyDestinationShouldBeLeftForLater() {
        String busy = remoteDomain();
        STORE.store().deliveries().deliver(new Delivery(TestContent.unique("busy"), List.of(), Instant.now(),
                Envelope.NONE, List.of(new OutboundRecipient("b@" + busy)))).block(WAIT);

        List<QueuedRecipient> claimed = STORE.store().outboundQueue().claim(50, 500, LEASE, List.of(busy))
                .collectList().block(WAIT);

        assertThat(claimed).noneMatch(r -> r.domain().equals(busy));
        assertThat(claimAll(busy)).hasSize(1);
    }

    @Test
    void outcomesShouldBeRecordedPerRecipientAndAFinishedMessageRemoved() {
        String domain = remoteDomain();
        DeliveryReceipt receipt = STORE.store().deliveries().deliver(new Delivery(TestContent.unique("outcomes"),
                List.of(), Instant.now(), Envelope.NONE, List.of(new OutboundRecipient("ok@" + domain),
                        new OutboundRecipient("later@" + domain), new OutboundRecipient("no@" + domain)))).block(WAIT);
        List<QueuedRecipient> claimed = claimAll(domain);
        var queue = STORE.store().outboundQueue();
        Instant next = Instant.now().minusSeconds(1);

        queue.delivered(claimed.get(0).id()).block(WAIT);
        queue.deferred(claimed.get(1).id(), next, "451 4.3.0 try later").block(WAIT);
        queue.failed(claimed.get(2).id(), "550 5.1.1 no such user").block(WAIT);
        queue.delayNotified(claimed.get(1).id()).block(WAIT);

        List<QueuedRecipient> left = queuedFor(domain);
        assertThat(left).singleElement().satisfies(r -> {
            assertThat(r.recipient().address()).isEqualTo("later@" + domain);
            assertThat(r.attempts()).isEqualTo(1);
            assertThat(r.lastError()).isEqualTo("451 4.3.0 try later");
            assertThat(r.delayNotified()).isTrue();
        });
        assertThat(queue.removeIfFinished(receipt.queuedMessageId()).block(WAIT)).isFalse();
        assertThat(claimAll(domain)).singleElement().satisfies(r -> assertThat(r.attempts()).isEqualTo(1));
        queue.delivered(left.get(0).id()).block(WAIT);
        assertThat(queue.removeIfFinished(receipt.queuedMessageId()).block(WAIT)).isTrue();
        assertThat(queuedFor(domain)).isEmpty();
    }

    @Test
    void aBlobShouldNotBeDeletableWhileAQueuedMessageRefersToIt() {
        String domain = remoteDomain();
        DeliveryReceipt receipt = STORE.store().deliveries().deliver(new Delivery(TestContent.unique("kept"), List.of(),
                Instant.now(), Envelope.NONE, List.of(new OutboundRecipient("k@" + domain)))).block(WAIT);
        Database db = new Database(STORE.store().connections());

        assertThatThrownBy(() -> db.update("DELETE FROM blob WHERE id = $1", receipt.blobId()).block(WAIT))
                .hasMessageContaining("queue_message_blob_fkey");
        assertThat(STORE.store().outboundQueue().delete(receipt.queuedMessageId()).block(WAIT)).isTrue();
        assertThat(STORE.store().outboundQueue().delete(receipt.queuedMessageId()).block(WAIT)).isFalse();
        assertThat(queuedFor(domain)).isEmpty();
        assertThat(db.update("DELETE FROM blob WHERE id = $1", receipt.blobId()).block(WAIT)).isEqualTo(1);
    }

    @Test
    void aCommitThatQueuedSomethingShouldWakeTheRunnerOnThisNode() {
        String domain = remoteDomain();
        var woken = STORE.store().outboundQueue().queued().next().toFuture();

        DeliveryReceipt receipt = STORE.store().deliveries().deliver(new Delivery(TestContent.unique("wake"), List.of(),
                Instant.now(), Envelope.NONE, List.of(new OutboundRecipient("w@" + domain)))).block(WAIT);

        assertThat(woken).succeedsWithin(WAIT).isEqualTo(receipt.queuedMessageId());
    }
}
