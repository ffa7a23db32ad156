package dev.hato.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.hato.store.directory.Account;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CredentialSourcesTest {

    private final StubSource local = new StubSource("local", "a");
    private final StubSource ldap = new StubSource("ldap:campus", "b");
    private final StubSource portal = new StubSource("http:portal", "c");

    private static Account at(String address) {
        return new Account(1, 1, address, "x-x7q2", "X", null);
    }

    @Test
    void eachDomainShouldGetItsSourceAndEveryOtherDomainTheDefault() {
        CredentialSources sources = new CredentialSources(local,
                Map.of("Uni.Example.org", ldap, "alumni.example.org", portal));
        assertThat(sources.forAccount(at("ann@uni.example.org"))).isSameAs(ldap);
        assertThat(sources.forAccount(at("bob@alumni.example.org"))).isSameAs(portal);
        assertThat(sources.forAccount(at("carol@example.org"))).isSameAs(local);
        assertThat(sources.forDomain("UNI.EXAMPLE.ORG")).isSameAs(ldap);
    }

    @Test
    void allShouldListEachSourceOnceWithTheDefaultFirst() {
        Map<String, CredentialSource> byDomain = new LinkedHashMap<>();
        byDomain.put("a.example.org", ldap);
        byDomain.put("b.example.org", ldap);
        byDomain.put("c.example.org", portal);
        assertThat(new CredentialSources(local, byDomain).all()).containsExactly(local, ldap, portal);
        assertThat(CredentialSources.only(ldap).all()).containsExactly(ldap);
    }

    @Test
    void aDomainListedTwiceInDifferentCaseShouldBeRefused() {
        Map<String, CredentialSource> byDomain = new LinkedHashMap<>();
        byDomain.put("a.example.org", ldap);
        byDomain.put("A.example.org", portal);
        assertThatIllegalArgumentException().isThrownBy(() -> new CredentialSources(local, byDomain));
    }
}
