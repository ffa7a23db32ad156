package dev.hato.store.pg;

import dev.hato.store.directory.Directory;
import dev.hato.store.directory.DirectoryContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.test.StepVerifier;

class PgDirectoryTest extends DirectoryContract {

    @RegisterExtension
    static final EmbeddedStore STORE = new EmbeddedStore();

    @Override
    protected Directory directory() {
        return STORE.store().directory();
    }

    @Test
    void aDomainNameThatIsNotLowerCaseShouldBeRejectedByTheSchema() {
        StepVerifier.create(directory().addDomain("Upper.Example")).verifyError(IllegalArgumentException.class);
    }

    @Test
    void anAuthIdThatIsNotLowerCaseShouldBeRejectedByTheSchema() {
        String domain = freshDomain();
        directory().addDomain(domain).block();

        StepVerifier.create(directory().addAccount(new dev.hato.store.directory.NewAccount(
                        "ann@" + domain, "Ann.X", "", null)))
                .verifyError(IllegalArgumentException.class);
    }

    @org.junit.jupiter.api.Test
    void settingsShouldBeSetReplacedRemovedAndGoWithTheAccount() {
        dev.hato.store.directory.Directory directory = directory();
        directory.addDomain("settings.example.test").block();
        dev.hato.store.directory.Account account = directory.addAccount(new dev.hato.store.directory.NewAccount(
                "set@settings.example.test", "set.t.ings-x1", "Settings", null)).block();
        org.assertj.core.api.Assertions.assertThat(directory.settings(account.id()).block()).isEmpty();
        directory.setSetting(account.id(), "language", "ja").block();
        directory.setSetting(account.id(), "language", "en").block();
        directory.setSetting(account.id(), "webmail.page-size", "50").block();
        org.assertj.core.api.Assertions.assertThat(directory.settings(account.id()).block())
                .containsExactlyInAnyOrderEntriesOf(java.util.Map.of("language", "en", "webmail.page-size", "50"));
        directory.setSetting(account.id(), "webmail.page-size", null).block();
        org.assertj.core.api.Assertions.assertThat(directory.settings(account.id()).block())
                .containsExactlyEntriesOf(java.util.Map.of("language", "en"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> directory.setSetting(account.id(), "Bad Name", "x")
                .block()).isInstanceOf(IllegalArgumentException.class);
        directory.removeAccount(account.authId()).block();
        org.assertj.core.api.Assertions.assertThat(TestSql.rows(STORE.store(),
                "SELECT name FROM account_setting WHERE account_id = $1", account.id())).isEmpty();
    }
}
