package dev.hato.store.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.directory.Account;
import dev.hato.store.directory.DirectoryException;
import dev.hato.store.directory.ImportResult;
import dev.hato.store.directory.ImportRow;
import dev.hato.store.mail.Mailbox;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.test.StepVerifier;

/** What the PostgreSQL import writes beyond the Directory contract: INBOX rows, large batches, text round trips. */
class PgDirectoryImportTest {

    @RegisterExtension
    static final EmbeddedStore STORE = new EmbeddedStore();

    @Test
    void everyCreatedAccountShouldHaveAnEmptyInboxAndTheSpecialUseMailboxesAndUpdatedOnesNoSecondSet() {
        STORE.store().directory().addDomain("inbox.example").block();
        STORE.store().directory().importAccounts(List.of(ImportRow.keepingPassword("old@inbox.example", "old-1", "Old")))
                .block();

        ImportResult result = STORE.store().directory().importAccounts(List.of(
                ImportRow.keepingPassword("old@inbox.example", "old-1", "Old Renamed"),
                ImportRow.withoutPassword("new@inbox.example", "new-1", "New"))).block();

        assertThat(result).isEqualTo(new ImportResult(1, 1, 0));
        for (String address : List.of("old@inbox.example", "new@inbox.example")) {
            Account account = STORE.store().directory().findByAddress(address).block();
            Mailbox inbox = STORE.store().messages().mailbox(account.id(), "INBOX").block();
            assertThat(inbox.uidNext()).isEqualTo(1);
            assertThat(inbox.uidValidity()).isPositive();
            assertThat(TestSql.rows(STORE.store(), "SELECT name, special_use FROM mailbox WHERE account_id = $1"
                    + " ORDER BY name", account.id())).containsExactly(Arrays.asList("Archive", "\\Archive"),
                    Arrays.asList("Drafts", "\\Drafts"), Arrays.asList("INBOX", null), Arrays.asList("Junk", "\\Junk"),
                    Arrays.asList("Sent", "\\Sent"), Arrays.asList("Trash", "\\Trash"));
            assertThat(TestSql.count(STORE.store(), "SELECT count(*) FROM subscription WHERE account_id = $1",
                    account.id())).isEqualTo(6);
        }
    }

    @Test
    void aFailedBatchShouldLeaveNoMailboxBehind() {
        STORE.store().directory().addDomain("rollback.example").block();
        STORE.store().directory().importAccounts(List.of(ImportRow.keepingPassword("a@rollback.example", "a-taken", "A")))
                .block();
        long mailboxes = TestSql.count(STORE.store(), "SELECT count(*) FROM mailbox");

        StepVerifier.create(STORE.store().directory().importAccounts(List.of(
                        ImportRow.keepingPassword("b@rollback.example", "b-1", "B"),
                        ImportRow.keepingPassword("c@rollback.example", "a-taken", "C"))))
                .expectError(DirectoryException.class)
                .verify();

        assertThat(TestSql.count(STORE.store(), "SELECT count(*) FROM mailbox")).isEqualTo(mailboxes);
        assertThat(TestSql.count(STORE.store(), "SELECT count(*) FROM account WHERE address LIKE '%@rollback.example'"))
                .isEqualTo(1);
    }

    @Test
    void aBatchOfThousandsShouldBeWrittenWithItsTextIntact() {
        STORE.store().directory().addDomain("big.example").block();
        List<ImportRow> rows = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            String name = i % 3 == 0 ? "山田 太郎 " + i : i % 3 == 1 ? "O'Brien, \"Pat\" " + i : "";
            rows.add(i % 2 == 0
                    ? ImportRow.withPasswordHash("user" + i + "@big.example", "user" + i + "-big", name,
                            "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$" + i)
                    : ImportRow.withoutPassword("user" + i + "@big.example", "user" + i + "-big", name));
        }

        assertThat(STORE.store().directory().importAccounts(rows).block()).isEqualTo(new ImportResult(3_000, 0, 0));
        assertThat(STORE.store().directory().importAccounts(rows).block()).isEqualTo(new ImportResult(0, 0, 3_000));

        Account yamada = STORE.store().directory().findByAddress("user3@big.example").block();
        assertThat(yamada.displayName()).isEqualTo("山田 太郎 3");
        assertThat(STORE.store().directory().findByAddress("user4@big.example").block().displayName())
                .isEqualTo("O'Brien, \"Pat\" 4");
        assertThat(STORE.store().directory().findByAddress("user2998@big.example").block().passwordHash())
                .isEqualTo("$argon2id$v=19$m=8,t=1,p=1$c2FsdA$2998");
        assertThat(STORE.store().directory().findByAddress("user2999@big.example").block().passwordHash()).isNull();
        assertThat(TestSql.count(STORE.store(), "SELECT count(*) FROM mailbox m JOIN account a ON a.id = m.account_id"
                + " WHERE a.address LIKE '%@big.example' AND m.name = 'INBOX'")).isEqualTo(3_000);
    }
}
