package dev.hato.store.mail;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.directory.Account;
import dev.hato.store.directory.Directory;
import dev.hato.store.directory.NewAccount;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * What every {@link MessageStore} must do (STYLE.md §6), together with the {@link Directory} and
 * {@link DeliveryWriter} of the same store, which create the accounts and messages it reads.
 */
public abstract class MessageStoreContract {

    private static final AtomicInteger NEXT = new AtomicInteger();

    protected abstract Directory directory();

    protected abstract MessageStore messages();

    protected abstract DeliveryWriter deliveries();

    /** A new account in a new domain. */
    protected Account freshAccount() {
        String domain = "m" + NEXT.incrementAndGet() + "-" + System.nanoTime() % 100_000 + ".example";
        directory().addDomain(domain).block();
        return directory().addAccount(new NewAccount("ann@" + domain, "ann." + domain.replace('.', '-'), "Ann", null))
                .block();
    }

    protected Mailbox inbox(Account account) {
        return messages().mailbox(account.id(), "INBOX").block();
    }

    protected DeliveryReceipt deliver(MessageContent content, Account... recipients) {
        return deliveries().deliver(new Delivery(content,
                        java.util.Arrays.stream(recipients).map(Account::id).toList(), Instant.now()))
                .block(Duration.ofSeconds(30));
    }

    protected byte[] read(long blobId) {
        return TestContent.concat(messages().content(blobId).collectList().block(Duration.ofSeconds(30)));
    }

    @Test
    void aNewAccountShouldHaveAnEmptyInbox() {
        Account account = freshAccount();

        Mailbox inbox = inbox(account);

        assertThat(inbox.accountId()).isEqualTo(account.id());
        assertThat(inbox.name()).isEqualTo("INBOX");
        assertThat(inbox.uidNext()).isEqualTo(1);
        assertThat(inbox.uidValidity()).isBetween(1L, 4_294_967_295L);
        assertThat(inbox.highestModseq()).isPositive();
        assertThat(messages().messages(account.id(), inbox.id()).collectList().block()).isEmpty();
    }

    @Test
    void mailboxShouldBeEmptyForANameThatDoesNotExist() {
        Account account = freshAccount();

        StepVerifier.create(messages().mailbox(account.id(), "Archives")).verifyComplete();
    }

    @Test
    void messagesShouldListDeliveriesInUidOrderAsTheirReceiptsSaid() {
        Account account = freshAccount();
        Instant date = Instant.parse("2025-03-01T10:15:30.123456789Z");
        var receipts = List.of(
                deliveries().deliver(new Delivery(TestContent.unique("one"), List.of(account.id()), date)).block(),
                deliveries().deliver(new Delivery(TestContent.unique("two"), List.of(account.id()), date)).block(),
                deliveries().deliver(new Delivery(TestContent.unique("three"), List.of(account.id()), date)).block());

        List<MessageMeta> listed = messages().messages(account.id(), inbox(account).id()).collectList().block();

        assertThat(listed).containsExactlyElementsOf(receipts.stream().map(r -> r.messages().get(0)).toList());
        assertThat(listed).extracting(MessageMeta::uid).containsExactly(1L, 2L, 3L);
        assertThat(listed).allSatisfy(meta -> {
            assertThat(meta.flags()).isEmpty();
            assertThat(meta.internalDate()).isEqualTo(date.truncatedTo(ChronoUnit.MICROS));
        });
        assertThat(inbox(account).uidNext()).isEqualTo(4);
    }

    @Test
    void contentShouldReturnTheDeliveredBytes() {
        Account account = freshAccount();
        TestContent content = TestContent.unique("bytes");

        DeliveryReceipt receipt = deliver(content, account);

        assertThat(read(receipt.blobId())).isEqualTo(content.bytes());
        assertThat(receipt.messages().get(0).size()).isEqualTo(content.size());
    }

    @Test
    void contentShouldStreamALargeMessageInBoundedChunks() {
        Account account = freshAccount();
        TestContent content = TestContent.random(3 * 1024 * 1024 + 17);

        DeliveryReceipt receipt = deliver(content, account);
        List<ByteBuffer> chunks = messages().content(receipt.blobId()).collectList().block();

        assertThat(chunks).hasSizeGreaterThan(1);
        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.remaining()).isLessThanOrEqualTo(256 * 1024));
        assertThat(TestContent.concat(chunks)).isEqualTo(content.bytes());
    }

    @Test
    void headsShouldReadTheFirstOctetsOfSeveralBlobsAtOnce() {
        Account account = freshAccount();
        TestContent small = TestContent.unique("head one");
        TestContent other = TestContent.unique("head two");
        TestContent large = TestContent.random(600 * 1024);
        long first = deliver(small, account).blobId();
        long second = deliver(other, account).blobId();
        long third = deliver(large, account).blobId();

        Map<Long, ByteBuffer> heads = messages().heads(Map.of(first, 10, second, (int) other.size(), third,
                300 * 1024, Long.MAX_VALUE, 5)).block(Duration.ofSeconds(30));

        assertThat(heads).containsOnlyKeys(first, second);
        assertThat(TestContent.concat(List.of(heads.get(first)))).isEqualTo(Arrays.copyOf(small.bytes(), 10));
        assertThat(TestContent.concat(List.of(heads.get(second)))).isEqualTo(other.bytes());
        assertThat(messages().heads(Map.of(first, (int) small.size() + 1)).block(Duration.ofSeconds(30)))
                .as("more octets than the blob has: left to content()").isEmpty();
        assertThat(messages().heads(Map.of()).block(Duration.ofSeconds(30))).isEmpty();
    }

    @Test
    void contentShouldBeEmptyForAnEmptyMessage() {
        Account account = freshAccount();

        DeliveryReceipt receipt = deliver(TestContent.of(new byte[0]), account);

        StepVerifier.create(messages().content(receipt.blobId())).verifyComplete();
        assertThat(receipt.messages().get(0).size()).isZero();
    }

    @Test
    void contentShouldFailForABlobThatDoesNotExist() {
        StepVerifier.create(messages().content(Long.MAX_VALUE)).verifyError(NoSuchElementException.class);
    }

    @Test
    void expungeShouldRemoveTheMessagesAndRaiseTheModseq() {
        Account account = freshAccount();
        deliver(TestContent.unique("1"), account);
        deliver(TestContent.unique("2"), account);
        deliver(TestContent.unique("3"), account);
        Mailbox before = inbox(account);

        messages().expunge(account.id(), before.id(), List.of(1L, 3L, 99L)).block();

        Mailbox after = inbox(account);
        assertThat(messages().messages(account.id(), before.id()).map(MessageMeta::uid).collectList().block())
                .containsExactly(2L);
        assertThat(after.highestModseq()).isGreaterThan(before.highestModseq());
        assertThat(after.uidNext()).isEqualTo(before.uidNext());
    }

    @Test
    void expungeOfUidsThatAreNotThereShouldChangeNothing() {
        Account account = freshAccount();
        deliver(TestContent.unique("1"), account);
        Mailbox before = inbox(account);

        messages().expunge(account.id(), before.id(), List.of(5L, 6L)).block();
        messages().expunge(account.id(), before.id(), List.of()).block();

        assertThat(inbox(account)).isEqualTo(before);
        assertThat(messages().messages(account.id(), before.id()).count().block()).isEqualTo(1);
    }

    @Test
    void uidsOfExpungedMessagesShouldNeverBeReused() {
        Account account = freshAccount();
        deliver(TestContent.unique("1"), account);
        deliver(TestContent.unique("2"), account);
        long inbox = inbox(account).id();
        messages().expunge(account.id(), inbox, List.of(2L)).block();

        DeliveryReceipt next = deliver(TestContent.unique("3"), account);

        assertThat(next.messages().get(0).uid()).isEqualTo(3);
    }

    @Test
    void aLeaseShouldBeExclusiveUntilReleased() {
        Account account = freshAccount();
        long inbox = inbox(account).id();

        assertThat(messages().lease(account.id(), inbox, "pop3-a", Duration.ofMinutes(5)).block()).isTrue();
        assertThat(messages().lease(account.id(), inbox, "pop3-b", Duration.ofMinutes(5)).block()).isFalse();

        messages().release(account.id(), inbox, "pop3-a").block();

        assertThat(messages().lease(account.id(), inbox, "pop3-b", Duration.ofMinutes(5)).block()).isTrue();
    }

    @Test
    void aLeaseShouldBeRenewableByItsOwner() {
        Account account = freshAccount();
        long inbox = inbox(account).id();
        messages().lease(account.id(), inbox, "pop3-a", Duration.ofMinutes(5)).block();

        assertThat(messages().lease(account.id(), inbox, "pop3-a", Duration.ofMinutes(5)).block()).isTrue();
    }

    @Test
    void anExpiredLeaseShouldBeTakenOverByAnotherOwner() throws InterruptedException {
        Account account = freshAccount();
        long inbox = inbox(account).id();
        messages().lease(account.id(), inbox, "pop3-a", Duration.ofMillis(50)).block();

        Thread.sleep(150);

        assertThat(messages().lease(account.id(), inbox, "pop3-b", Duration.ofMinutes(5)).block()).isTrue();
        assertThat(messages().lease(account.id(), inbox, "pop3-a", Duration.ofMinutes(5)).block()).isFalse();
    }

    @Test
    void aReleaseByAnotherOwnerShouldLeaveTheLeaseInPlace() {
        Account account = freshAccount();
        long inbox = inbox(account).id();
        messages().lease(account.id(), inbox, "pop3-a", Duration.ofMinutes(5)).block();

        messages().release(account.id(), inbox, "pop3-b").block();

        assertThat(messages().lease(account.id(), inbox, "pop3-b", Duration.ofMinutes(5)).block()).isFalse();
    }

    @Test
    void aLeaseOnAMailboxThatDoesNotExistShouldNotBeGranted() {
        Account account = freshAccount();

        assertThat(messages().lease(account.id(), Long.MAX_VALUE, "pop3-a", Duration.ofMinutes(5)).block()).isFalse();
    }

    @Test
    void removingAnAccountShouldRemoveItsMessagesButKeepContentOthersShare() {
        Account leaving = freshAccount();
        Account staying = freshAccount();
        TestContent shared = TestContent.unique("shared");
        DeliveryReceipt receipt = deliver(shared, leaving, staying);
        long leavingInbox = inbox(leaving).id();

        directory().removeAccount(leaving.authId()).block();

        StepVerifier.create(messages().mailbox(leaving.id(), "INBOX")).verifyComplete();
        assertThat(messages().messages(leaving.id(), leavingInbox).collectList().block()).isEmpty();
        assertThat(messages().messages(staying.id(), inbox(staying).id()).collectList().block()).hasSize(1);
        assertThat(read(receipt.blobId())).isEqualTo(shared.bytes());
    }
}
