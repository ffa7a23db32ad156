package dev.hato.store.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.directory.Account;
import dev.hato.store.directory.Directory;
import dev.hato.store.mail.DeliveryReceipt;
import dev.hato.store.mail.DeliveryWriter;
import dev.hato.store.mail.Mailbox;
import dev.hato.store.mail.MessageStore;
import dev.hato.store.mail.MessageStoreContract;
import dev.hato.store.mail.TestContent;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PgMessageStoreTest extends MessageStoreContract {

    @RegisterExtension
    static final EmbeddedStore STORE = new EmbeddedStore();

    @Override
    protected Directory directory() {
        return STORE.store().directory();
    }

    @Override
    protected MessageStore messages() {
        return STORE.store().messages();
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

        Mailbox after = inbox(account);
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
        Mailbox before = inbox(account);

        STORE.store().messages().expunge(account.id(), before.id(), List.of(1L, 3L, 42L)).block();

        long modseq = inbox(account).highestModseq();
        assertThat(modseq).isEqualTo(before.highestModseq() + 1);
        assertThat(changes(account, before.id()).stream().filter(c -> "expunge".equals(c.get(2))).toList())
                .containsExactly(List.of(modseq, 1L, "expunge"), List.of(modseq, 3L, "expunge"));
    }

    @Test
    void anExpungeOfNothingShouldRecordNoChange() {
        Account account = freshAccount();
        deliver(TestContent.unique("1"), account);
        long inbox = inbox(account).id();

        STORE.store().messages().expunge(account.id(), inbox, List.of(7L)).block();

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
