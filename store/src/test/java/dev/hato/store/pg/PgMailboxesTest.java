package dev.hato.store.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hato.store.directory.Account;
import dev.hato.store.directory.Directory;
import dev.hato.store.mail.Blobs;
import dev.hato.store.mail.Delivery;
import dev.hato.store.mail.DeliveryReceipt;
import dev.hato.store.mail.DeliveryWriter;
import dev.hato.store.mail.KeptUids;
import dev.hato.store.mail.MailboxException;
import dev.hato.store.mail.MailboxInfo;
import dev.hato.store.mail.Mailboxes.AppendResult;
import dev.hato.store.mail.Mailboxes.MailboxEvent;
import dev.hato.store.mail.Mailboxes;
import dev.hato.store.mail.MailboxesContract;
import dev.hato.store.mail.MessageFacts;
import dev.hato.store.mail.MessageMeta;
import dev.hato.store.mail.TestContent;
import dev.hato.store.queue.Envelope;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PgMailboxesTest extends MailboxesContract {

    @RegisterExtension
    static final EmbeddedStore STORE = new EmbeddedStore();

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Override
    protected Directory directory() {
        return STORE.store().directory();
    }

    @Override
    protected Mailboxes mailboxes() {
        return STORE.store().mailboxes();
    }

    @Override
    protected Blobs blobs() {
        return STORE.store().blobs();
    }

    @Override
    protected DeliveryWriter deliveries() {
        return STORE.store().deliveries();
    }

    private static List<List<Object>> changes(Account account, long mailboxId) {
        return TestSql.rows(STORE.store(), "SELECT modseq, uid, kind FROM change"
                + " WHERE account_id = $1 AND mailbox_id = $2 ORDER BY modseq, uid", account.id(), mailboxId);
    }

    @Test
    void eventsShouldReachAnotherStoreOnTheSameDatabase() {
        // Two PgStores on one database are what two gateway processes look like.
        try (PgStore other = PgStore.open(StoreSettings.defaults(STORE.dataDirectory()));
             Events events = new Events(other.mailboxes()).listening()) {
            Account account = freshAccount();
            MailboxInfo inbox = box(account, "INBOX");

            long modseq = append(account, inbox, "across").modseq();

            assertThat(events.await(e -> e.mailboxId() == inbox.id())).isEqualTo(new MailboxEvent(inbox.id(), modseq));
        }
    }

    @Test
    void aFeedWhoseConnectionDropsShouldReconnectAndSayThatAnythingMayHaveChanged() {
        try (PgStore other = PgStore.open(StoreSettings.defaults(STORE.dataDirectory()));
             Events events = new Events(other.mailboxes()).listening()) {
            Account account = freshAccount();
            MailboxInfo inbox = box(account, "INBOX");

            long killed = TestSql.count(STORE.store(), "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    + " WHERE query = 'LISTEN " + PgMessages.CHANNEL + "' AND pid <> pg_backend_pid()");
            assertThat(killed).isPositive();
            events.await(MailboxEvent::isAnything);
            long modseq = append(account, inbox, "after reconnect").modseq();

            assertThat(events.await(e -> e.mailboxId() == inbox.id())).isEqualTo(new MailboxEvent(inbox.id(), modseq));
        }
    }

    @Test
    void everyChangeShouldBeRecordedInTheChangeLogAtItsModseq() {
        Account account = freshAccount();
        MailboxInfo inbox = box(account, "INBOX");
        MailboxInfo trash = box(account, "Trash");
        long appended = append(account, inbox, "1").modseq();
        long flagged = mailboxes().store(account.id(), inbox.id(), List.of(1L), Mailboxes.FlagMode.ADD,
                Set.of("\\Flagged"), null).block(WAIT).changed().get(0).modseq();

        mailboxes().copy(account.id(), inbox.id(), List.of(1L), trash.id(), true).block(WAIT);

        long expunged = box(account, "INBOX").highestModseq();
        assertThat(changes(account, inbox.id())).containsExactly(List.of(appended, 1L, "append"),
                List.of(flagged, 1L, "flags"), List.of(expunged, 1L, "expunge"));
        assertThat(changes(account, trash.id()))
                .containsExactly(List.of(box(account, "Trash").highestModseq(), 1L, "append"));
    }

    @Test
    void aMailboxWhoseUidsRunOutShouldRefuseFurtherMessagesWithLimit() {
        Account account = freshAccount();
        MailboxInfo box = mailboxes().create(account.id(), "Full", null).block(WAIT);
        TestSql.rows(STORE.store(), "UPDATE mailbox SET uid_next = 4294967295 WHERE account_id = $1 AND id = $2",
                account.id(), box.id());

        assertThat(append(account, box, "last").uid()).isEqualTo(4_294_967_295L);
        assertThat(reasonOf(mailboxes().append(account.id(), box.id(), TestContent.unique("one too many"),
                facts("x"), Set.of(), Instant.now()))).isEqualTo(MailboxException.Reason.LIMIT);
        assertThat(reasonOf(mailboxes().copy(account.id(), box.id(), List.of(4_294_967_295L), box.id(), false)))
                .isEqualTo(MailboxException.Reason.LIMIT);
    }

    @Test
    void factsShouldBeStoredWithEveryField() {
        Account account = freshAccount();
        MessageFacts facts = new MessageFacts(new byte[] {0, 1, (byte) 0xff}, "subject: a\u0000b\n", "テキスト",
                new MessageFacts.SortFields("base", "from@x", "to@x", "cc@x", null, null,
                        List.of("<r1@x>", "", "<r2\n@x>"), null, "Display To"));

        DeliveryReceipt receipt = STORE.store().deliveries().deliver(new Delivery(TestContent.unique("facts"),
                List.of(account.id()), Instant.now(), Envelope.NONE, List.of(), facts)).block(WAIT);

        List<Object> row = TestSql.rows(STORE.store(), "SELECT header_text, body_text, base_subject, sort_from, sort_to,"
                + " sort_cc, sent_date, message_id, array_to_string(refs, '|'), display_from, display_to"
                + " FROM blob_facts WHERE blob_id = $1", receipt.blobId()).get(0);
        assertThat(row).containsExactly("subject: a\uFFFDb\n", "テキスト", "base", "from@x", "to@x", "cc@x", null,
                null, "<r1@x>|<r2 @x>", null, "Display To");
        assertThat(blobs().structure(receipt.blobId()).block(WAIT)).containsExactly(0, 1, 0xff);
    }

    @Test
    void factsWithDatesIdsAndPreviewShouldBeStoredAsGivenWithTheirSearchKeys() {
        Account account = freshAccount();
        Instant sent = Instant.parse("1999-12-31T23:59:58.123456Z");
        MessageFacts facts = new MessageFacts(new byte[0], "subject: 会議 😀\n", "", new MessageFacts.SortFields(
                "会議", "", "", "", sent, "<id@x>", List.of(), "山田", null), "プレビュー");

        DeliveryReceipt receipt = STORE.store().deliveries().deliver(new Delivery(TestContent.unique("dated"),
                List.of(account.id()), Instant.now(), Envelope.NONE, List.of(), facts)).block(WAIT);

        List<Object> row = TestSql.rows(STORE.store(), "SELECT sent_date = $2, message_id, refs = '{}',"
                + " display_from, display_to, preview, header_grams = pair_grams(header_text), body_grams = '{}',"
                + " octet_length(structure) FROM blob_facts WHERE blob_id = $1", receipt.blobId(),
                java.time.OffsetDateTime.ofInstant(sent, java.time.ZoneOffset.UTC)).get(0);
        assertThat(row).containsExactly(true, "<id@x>", true, "山田", null, "プレビュー", true, true, 0);
    }

    @Test
    void aBatchOfDeliveriesShouldStoreFactsOncePerNewBlob() {
        Account ann = freshAccount();
        Account bob = freshAccount();
        TestContent shared = TestContent.unique("shared");
        TestContent own = TestContent.unique("own");

        List<DeliveryReceipt> receipts = reactor.core.publisher.Flux.just(
                        new Delivery(shared, List.of(ann.id()), Instant.now(), Envelope.NONE, List.of(), facts("s")),
                        new Delivery(shared, List.of(bob.id()), Instant.now(), Envelope.NONE, List.of(), facts("s2")),
                        new Delivery(own, List.of(bob.id()), Instant.now(), Envelope.NONE, List.of(), null))
                .flatMap(delivery -> STORE.store().deliveries().deliver(delivery))
                .collectList().block(WAIT);

        long sharedBlob = receipts.stream().filter(r -> r.messages().get(0).accountId() == ann.id()).findFirst()
                .orElseThrow().blobId();
        assertThat(TestSql.count(STORE.store(), "SELECT count(*) FROM blob_facts WHERE blob_id = $1", sharedBlob))
                .isEqualTo(1);
        long ownBlob = receipts.stream().map(DeliveryReceipt::blobId).filter(id -> id != sharedBlob).findFirst()
                .orElseThrow();
        assertThat(blobs().structure(ownBlob).blockOptional(WAIT)).isEmpty();
        assertThat(Arrays.asList(new String(blobs().structure(sharedBlob).block(WAIT)).split(" ")))
                .contains("structure", "of");
    }

    @Test
    void aMigratedMailboxShouldKeepTheOldUidValidityAndUidsAndGiveLaterMailUidsAboveThem() {
        Account account = freshAccount();
        MailboxInfo box = mailboxes().create(account.id(), "Old/移行", null).block(WAIT);
        KeptUids kept = STORE.store().keptUids();
        long old = 1_600_000_000L;

        assertThat(kept.adoptUidValidity(account.id(), box.id(), old).block(WAIT)).isTrue();
        assertThat(kept.adoptUidValidity(account.id(), box.id(), old).block(WAIT)).isTrue();
        List<AppendResult> copied = kept.appendWithUids(account.id(), box.id(), List.of(
                new Mailboxes.NewMessage(TestContent.unique("five"), facts("five"), Set.of("\\Seen"), Instant.now()),
                new Mailboxes.NewMessage(TestContent.unique("nine"), facts("nine"), Set.of(), Instant.now())),
                List.of(5L, 9L)).block(WAIT);

        assertThat(copied).extracting(AppendResult::uid).containsExactly(5L, 9L);
        kept.keepUidls(account.id(), box.id(), Map.of(5L, "0000000563d4e2a0", 9L, "0000000963d4e2a0", 77L, "none"))
                .block(WAIT);
        assertThat(kept.uidls(account.id(), box.id()).block(WAIT))
                .isEqualTo(Map.of(5L, "0000000563d4e2a0", 9L, "0000000963d4e2a0"));
        mailboxes().expunge(account.id(), box.id(), List.of(5L)).block(WAIT);
        assertThat(kept.uidls(account.id(), box.id()).block(WAIT)).isEqualTo(Map.of(9L, "0000000963d4e2a0"));
        assertThat(copied).extracting(AppendResult::uidValidity).containsOnly(old);
        assertThat(messages(account, box(account, "Old/移行"))).extracting(MessageMeta::uid).containsExactly(9L);
        assertThat(kept.adoptUidValidity(account.id(), box.id(), old + 1).block(WAIT)).isFalse();
        assertThatThrownBy(() -> kept.appendWithUids(account.id(), box.id(), List.of(new Mailboxes.NewMessage(
                TestContent.unique("seven"), facts("seven"), Set.of(), Instant.now())), List.of(7L)).block(WAIT))
                .isInstanceOf(MailboxException.class).hasMessageContaining("below the next UID");
        assertThat(append(account, box(account, "Old/移行"), "later").uid()).isEqualTo(10L);

        kept.raiseUidNext(account.id(), box.id(), 100).block(WAIT);
        assertThat(append(account, box(account, "Old/移行"), "after the old UIDNEXT").uid()).isEqualTo(100L);
        mailboxes().delete(account.id(), "Old/移行").block(WAIT);
        assertThat(mailboxes().create(account.id(), "Old/移行", null).block(WAIT).uidValidity())
                .isGreaterThan(old);
    }

    @Test
    void theCopiedMarkShouldFollowEachBatchAndRenumberedMailAndTheFolderShouldTellWhatItHolds() {
        Account account = freshAccount();
        MailboxInfo box = mailboxes().create(account.id(), "Marked", null).block(WAIT);
        KeptUids kept = STORE.store().keptUids();
        assertThat(kept.copiedUpTo(account.id(), box.id()).blockOptional(WAIT)).isEmpty();
        var three = TestContent.unique("three");
        kept.appendWithUids(account.id(), box.id(), List.of(new Mailboxes.NewMessage(three, facts("three"), Set.of(),
                Instant.now())), List.of(3L)).block(WAIT);
        assertThat(kept.copiedUpTo(account.id(), box.id()).block(WAIT).uidNext()).isEqualTo(4L);
        // Hato gives UID 4 itself; the old server's 4 comes later and is stored under a new UID
        assertThat(append(account, box(account, "Marked"), "hato's own").uid()).isEqualTo(4L);
        List<AppendResult> renumbered = kept.appendRenumbered(account.id(), box.id(), List.of(
                new Mailboxes.NewMessage(TestContent.unique("old four"), facts("old four"), Set.of(), Instant.now())),
                List.of(4L)).block(WAIT);
        assertThat(renumbered).extracting(AppendResult::uid).containsExactly(5L);
        assertThat(kept.copiedUpTo(account.id(), box.id()).block(WAIT).uidNext()).isEqualTo(5L);
        kept.raiseUidNext(account.id(), box.id(), 20).block(WAIT);
        assertThat(kept.copiedUpTo(account.id(), box.id()).block(WAIT).uidNext()).isEqualTo(20L);
        kept.raiseUidNext(account.id(), box.id(), 10).block(WAIT);
        assertThat(kept.copiedUpTo(account.id(), box.id()).block(WAIT).uidNext()).as("never lowered").isEqualTo(20L);
        kept.keepOldModseq(account.id(), box.id(), 777).block(WAIT);
        assertThat(kept.copiedUpTo(account.id(), box.id()).block(WAIT))
                .isEqualTo(new KeptUids.CopyMark(20, 777));

        byte[] absent = new byte[32];
        assertThat(kept.holding(account.id(), box.id(), List.of(three.sha256(), absent)).block(WAIT))
                .containsExactly(java.util.HexFormat.of().formatHex(three.sha256()));
        assertThat(kept.holding(account.id(), box.id(), List.of()).block(WAIT)).isEmpty();
    }
}
