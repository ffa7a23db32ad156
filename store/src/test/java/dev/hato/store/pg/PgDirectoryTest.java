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
    void aDomainsAddressListShouldBeOffUntilSwitchedOnAndMatchItsTextLiterally() {
        String domain = freshDomain();
        directory().addDomain(domain).block();
        directory().addAccount(new dev.hato.store.directory.NewAccount("hanako.yamada@" + domain, "hy.k3p9-x",
                "山田 花子", null)).block();
        directory().addAccount(new dev.hato.store.directory.NewAccount("p_100@" + domain, "p.100-x", "100% Staff",
                null)).block();
        org.assertj.core.api.Assertions.assertThat(directory().addressList(domain, "", 10).collectList().block())
                .isEmpty();

        directory().setAddressList(domain, true).block();

        org.assertj.core.api.Assertions.assertThat(directory().hasAddressList(domain).block()).isTrue();
        org.assertj.core.api.Assertions.assertThat(directory().addressList(domain, "YAMADA", 10).collectList()
                .block()).containsExactly(new dev.hato.store.directory.ListedPerson("山田 花子",
                "hanako.yamada@" + domain));
        org.assertj.core.api.Assertions.assertThat(directory().addressList(domain, "花子", 10).collectList().block())
                .hasSize(1);
        // LIKE's own characters are text here: "%" and "_" match only themselves.
        org.assertj.core.api.Assertions.assertThat(directory().addressList(domain, "100%", 10).collectList().block())
                .extracting(dev.hato.store.directory.ListedPerson::address).containsExactly("p_100@" + domain);
        org.assertj.core.api.Assertions.assertThat(directory().addressList(domain, "_", 10).collectList().block())
                .hasSize(1);
        org.assertj.core.api.Assertions.assertThat(directory().addressList(domain, "", 1).collectList().block())
                .hasSize(1);
        directory().setAddressList(domain, false).block();
        org.assertj.core.api.Assertions.assertThat(directory().addressList(domain, "", 10).collectList().block())
                .isEmpty();
        StepVerifier.create(directory().setAddressList("nowhere.example", true))
                .verifyError(dev.hato.store.directory.DirectoryException.class);
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
