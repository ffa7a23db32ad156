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
