package dev.hato.store.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.directory.Account;
import dev.hato.store.directory.Directory;
import dev.hato.store.mail.DeliveryReceipt;
import dev.hato.store.mail.DeliveryWriter;
import dev.hato.store.mail.MailboxInfo;
import dev.hato.store.mail.Blobs;
import dev.hato.store.mail.Mailboxes;
import dev.hato.store.mail.MessagesContract;
import dev.hato.store.mail.TestContent;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PgMessagesTest extends MessagesContract {

    @RegisterExtension
    static final EmbeddedStore STORE = new EmbeddedStore();

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
        return TestSql.rows(STORE.store(), "SELECT modseq, uid, kind FROM change WHERE account_id = $1 AND mailbox_id = $2"
                + " ORDER BY modseq, uid", account.id(), mailboxId);
    }

    @Test
    void aDeliveryShouldRecordAnAppendAtTheMailboxsNewModseq() {
        Account account = freshAccount();
        long before = inbox(account).highestModseq();

        DeliveryReceipt receipt = deliver(TestContent.unique("append"), account);

        MailboxInfo after = inbox(account);
        assertThat(after.highestModseq()).isEqualTo(before + 1);
        assertThat(receipt.messages().get(0).modseq()).isEqualTo(after.highestModseq());
        assertThat(changes(account, after.id())).containsExactly(List.of(after.highestModseq(), 1L, "append"));
    }

    @Test
    void anExpungeShouldRecordOneChangePerExpungedUidAtOneNewModseq() {
        Account account = freshAccount();
        deliver(TestContent.unique("1"), account);
        deliver(TestContent.unique("2"), account);
        deliver(TestContent.unique("3"), account);
        MailboxInfo before = inbox(account);

        STORE.store().mailboxes().expunge(account.id(), before.id(), List.of(1L, 3L, 42L)).block();

        long modseq = inbox(account).highestModseq();
        assertThat(modseq).isEqualTo(before.highestModseq() + 1);
        assertThat(changes(account, before.id()).stream().filter(c -> "expunge".equals(c.get(2))).toList())
                .containsExactly(List.of(modseq, 1L, "expunge"), List.of(modseq, 3L, "expunge"));
    }

    @Test
    void oneMessageAndAPageOfTheNewestShouldBeReadByUid() {
        Account account = freshAccount();
        for (int i = 1; i <= 7; i++) {
            deliver(TestContent.unique("page " + i), account);
        }
        MailboxInfo box = inbox(account);
        STORE.store().mailboxes().expunge(account.id(), box.id(), List.of(5L)).block();
        Mailboxes mailboxes = STORE.store().mailboxes();

        assertThat(mailboxes.message(account.id(), box.id(), 3).block().uid()).isEqualTo(3);
        assertThat(mailboxes.message(account.id(), box.id(), 5).blockOptional()).isEmpty();
        assertThat(mailboxes.message(account.id() + 1_000_000, box.id(), 3).blockOptional()).isEmpty();
        assertThat(mailboxes.newest(account.id(), box.id(), Long.MAX_VALUE, 3).map(m -> m.uid()).collectList().block())
                .containsExactly(7L, 6L, 4L);
        assertThat(mailboxes.newest(account.id(), box.id(), 4, 3).map(m -> m.uid()).collectList().block())
                .containsExactly(3L, 2L, 1L);
        assertThat(mailboxes.newest(account.id(), box.id(), 2, 3).map(m -> m.uid()).collectList().block())
                .containsExactly(1L);
        assertThat(mailboxes.newest(account.id(), box.id(), Long.MAX_VALUE, 0).collectList().block()).isEmpty();
    }

    /** The folder's counts as STATUS reads them, and as counting its messages gives them. */
    private static void assertCountsMatch(Account account, long mailboxId) {
        dev.hato.store.mail.MailboxStatus status = STORE.store().mailboxes().status(account.id(), mailboxId).block();
        List<Object> counted = TestSql.rows(STORE.store(), "SELECT count(*),"
                + " count(*) FILTER (WHERE NOT ('\\Seen' = ANY (flags))), count(*) FILTER (WHERE '\\Deleted' = ANY (flags)),"
                + " coalesce(sum(size), 0)::bigint FROM message WHERE account_id = $1 AND mailbox_id = $2",
                account.id(), mailboxId).get(0);
        assertThat(List.of(status.messages(), status.unseen(), status.deleted(), status.size()))
                .as("messages, unseen, deleted, size of mailbox " + mailboxId).isEqualTo(counted);
    }

    @Test
    void theCountsAFolderKeepsShouldFollowEveryWayItsMessagesChange() {
        Account account = freshAccount();
        Account other = freshAccount();
        Mailboxes mailboxes = STORE.store().mailboxes();
        deliver(TestContent.unique("1"), account, other);
        deliver(TestContent.unique("2"), account);
        deliver(TestContent.unique("3"), account);
        long inbox = inbox(account).id();
        assertCountsMatch(account, inbox);
        assertThat(mailboxes.status(account.id(), inbox).block().messages()).isEqualTo(3);
        assertThat(mailboxes.status(account.id(), inbox).block().unseen()).isEqualTo(3);

        mailboxes.store(account.id(), inbox, List.of(1L, 2L), Mailboxes.FlagMode.ADD, java.util.Set.of("\\Seen"), null)
                .block();
        assertCountsMatch(account, inbox);
        assertThat(mailboxes.status(account.id(), inbox).block().unseen()).isEqualTo(1);
        mailboxes.store(account.id(), inbox, List.of(2L, 3L), Mailboxes.FlagMode.REPLACE,
                java.util.Set.of("\\Deleted"), null).block();
        assertCountsMatch(account, inbox);
        assertThat(mailboxes.status(account.id(), inbox).block().deleted()).isEqualTo(2);

        long archive = mailboxes.create(account.id(), "Kept", null).block().id();
        mailboxes.copy(account.id(), inbox, List.of(1L, 2L), archive, false).block();
        assertCountsMatch(account, inbox);
        assertCountsMatch(account, archive);
        mailboxes.copy(account.id(), inbox, List.of(3L), archive, true).block();
        assertCountsMatch(account, inbox);
        assertCountsMatch(account, archive);
        assertThat(mailboxes.status(account.id(), archive).block().messages()).isEqualTo(3);
        assertThat(mailboxes.status(account.id(), inbox).block().messages()).isEqualTo(2);

        mailboxes.expunge(account.id(), inbox, List.of(2L)).block();
        assertCountsMatch(account, inbox);
        assertThat(mailboxes.status(account.id(), inbox).block().messages()).isEqualTo(1);
        deliver(TestContent.unique("4"), account, other);
        assertCountsMatch(account, inbox);
        assertCountsMatch(other, inbox(other).id());

        mailboxes.delete(account.id(), "Kept").block();
        mailboxes.create(account.id(), "Kept", null).block();
        long again = mailboxes.find(account.id(), "Kept").block().id();
        assertThat(mailboxes.status(account.id(), again).block().messages()).isZero();
        assertCountsMatch(account, again);
        // The whole account's in one query: the same as each folder's.
        java.util.Map<Long, dev.hato.store.mail.MailboxStatus> all = mailboxes.statuses(account.id()).block();
        assertThat(all.keySet()).containsExactlyInAnyOrderElementsOf(
                mailboxes.list(account.id()).map(MailboxInfo::id).collectList().block());
        all.forEach((id, status) -> assertThat(status).isEqualTo(mailboxes.status(account.id(), id).block()));
        assertThat(all.get(inbox).messages()).isEqualTo(2);
    }

    @Test
    void anExpungeOfNothingShouldRecordNoChange() {
        Account account = freshAccount();
        deliver(TestContent.unique("1"), account);
        long inbox = inbox(account).id();

        STORE.store().mailboxes().expunge(account.id(), inbox, List.of(7L)).block();

        assertThat(changes(account, inbox)).extracting(c -> c.get(2)).containsExactly("append");
    }

    @Test
    void removingAnAccountShouldLeaveNoRowOfItBehind() {
        Account account = freshAccount();
        deliver(TestContent.unique("1"), account);

        STORE.store().directory().removeAccount(account.address()).block();

        for (String table : List.of("mailbox", "message", "change")) {
            assertThat(TestSql.count(STORE.store(), "SELECT count(*) FROM " + table + " WHERE account_id = $1", account.id()))
                    .as(table).isZero();
        }
    }
}
