package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code hato admin grant|revoke|list}: administrators of a domain and of the site, with clear refusals. */
class AdminCommandTest {

    private static final RunningHato HATO = RunningHato.shared();

    @Test
    void administratorsShouldBeGrantedListedAndRevoked() {
        String domain = "dept" + System.nanoTime() + ".test";
        HATO.provisioning().addDomain(domain).block();
        RunningHato.User head = HATO.newUser("depthead", domain);
        RunningHato.User root = HATO.newUser("siteroot");

        CliRun granted = hato("admin", "grant", head.authId(), "--domain", domain);
        assertThat(granted.status()).as(granted.err()).isZero();
        assertThat(granted.out()).contains(head.address() + " is now an administrator of " + domain);
        assertThat(hato("admin", "grant", head.address(), "--domain", domain).out()).contains("was already");
        assertThat(hato("admin", "grant", root.address(), "--site").status()).isZero();
        assertThat(hato("admin", "list").out()).contains(root.address() + "\tsite", head.address() + "\t" + domain);
        assertThat(HATO.store().administrators().domains(head.accountId()).block()).containsExactly(domain);

        CliRun both = hato("admin", "grant", head.address(), "--domain", domain, "--site");
        assertThat(both.status()).isNotZero();
        assertThat(both.err()).contains("mutually exclusive");
        CliRun unknown = hato("admin", "grant", head.address(), "--domain", "nothing.test");
        assertThat(unknown.status()).isNotZero();
        assertThat(unknown.err()).contains("no domain nothing.test");

        assertThat(hato("admin", "revoke", head.address(), "--domain", domain).out())
                .contains(head.address() + " is no longer an administrator of " + domain);
        CliRun again = hato("admin", "revoke", head.address(), "--domain", domain);
        assertThat(again.status()).isNotZero();
        assertThat(again.err()).contains("is not an administrator of " + domain);
        assertThat(hato("admin", "revoke", root.address(), "--site").status()).isZero();
        assertThat(hato("admin", "list").out()).doesNotContain(root.address(), head.address());
    }

    private static CliRun hato(String... args) {
        return CliRun.of(HATO.dataDir(), "", args);
    }
}
