package dev.hato.auth.ldap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LdapSettingsTest {

    private static final LdapSettings BASE = LdapSettings.defaults("campus", List.of("ldaps://ldap.example.org"),
            "ou=people,dc=example,dc=org");

    @Test
    void defaultsShouldSearchByUidAnonymouslyWithSystemTrust() {
        assertThat(BASE.searchFilter()).isEqualTo("(uid={authId})");
        assertThat(BASE.trust()).isEqualTo("system");
        assertThat(BASE.insecureTrustAll()).isFalse();
        assertThat(BASE.bindDn()).isNull();
        assertThat(BASE.bindDnTemplate()).isNull();
        assertThat(BASE.startTls()).isFalse();
        assertThat(BASE.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(BASE.responseTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(BASE.poolSize()).isEqualTo(4);
        assertThat(BASE.peopleBaseDn()).isEqualTo(BASE.baseDn());
        assertThat(BASE.peopleFilter()).isEqualTo("(objectClass=inetOrgPerson)");
        assertThat(List.of(BASE.authIdAttribute(), BASE.mailAttribute(), BASE.nameAttribute()))
                .containsExactly("uid", "mail", "cn");
    }

    @Test
    void changingTheAuthIdAttributeShouldFollowInTheDefaultFilterButNotInAnExplicitOne() {
        assertThat(BASE.withAttributes("sAMAccountName", "mail", "displayName").searchFilter())
                .isEqualTo("(sAMAccountName={authId})");
        LdapSettings explicit = BASE.withSearchFilter("(&(objectClass=person)(uid={authId}))");
        assertThat(explicit.withAttributes("cn", "mail", "cn").searchFilter())
                .isEqualTo("(&(objectClass=person)(uid={authId}))");
    }

    @Test
    void startTlsOnAnLdapsUrlShouldBeRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withStartTls(true))
                .withMessageContaining("StartTLS");
        assertThat(BASE.withUrls(List.of("ldap://a.example.org", "ldap://b.example.org:1389")).withStartTls(true)
                .startTls()).isTrue();
    }

    @Test
    void malformedValuesShouldBeRefusedWhenTheSettingsAreMade() {
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withUrls(List.of()));
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withUrls(List.of("http://ldap.example.org")));
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withUrls(List.of("ldap://")));
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withBind("cn=hato,dc=example,dc=org", null));
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withBind(null, "secret"));
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withBind("not a dn", "secret"));
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withBaseDn("not a dn"));
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withSearchFilter("(uid=fixed)"));
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withSearchFilter("(uid={authId}"));
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withBindDnTemplate("ou=people,dc=example"));
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withBindDnTemplate("{authId}"));
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withConnectTimeout(Duration.ZERO));
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withResponseTimeout(Duration.ofMillis(-1)));
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withPoolSize(0));
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withPeople("dc=example,dc=org", "(("));
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withAttributes("u id", "mail", "cn"));
        assertThatIllegalArgumentException().isThrownBy(() -> BASE.withTrust(" "));
        assertThatIllegalArgumentException().isThrownBy(() -> LdapSettings.defaults("bad name", List.of(
                "ldap://x.example.org"), "dc=example,dc=org"));
    }

    @Test
    void aMissingCaFileShouldBeRefusedWhenTheSourceIsMade() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new LdapCredentialSource(BASE.withTrust("/nonexistent/ca.pem")))
                .withMessageContaining("/nonexistent/ca.pem");
    }

    @Test
    void theBindPasswordShouldNeverBePrinted() {
        String text = BASE.withBind("cn=hato,dc=example,dc=org", "hunter2-secret").toString();
        assertThat(text).doesNotContain("hunter2-secret").contains("cn=hato,dc=example,dc=org");
    }
}
