package dev.hato.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.DirectoryException.Reason;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * What every {@link Directory} must do (STYLE.md §6). An implementation's test extends this class and supplies a
 * directory; tests share it, so each test works in domains of its own.
 */
public abstract class DirectoryContract {

    private static final AtomicInteger NEXT = new AtomicInteger();

    protected abstract Directory directory();

    /** A domain name no other test uses. */
    protected static String freshDomain() {
        return "d" + NEXT.incrementAndGet() + "-" + System.nanoTime() % 100_000 + ".example";
    }

    protected static NewAccount newAccount(String localPart, String domain) {
        return new NewAccount(localPart + "@" + domain, localPart + "." + domain.replace('.', '-') + "-x7q2",
                "Person " + localPart, null);
    }

    @Test
    void addDomainShouldReturnTheStoredDomain() {
        String name = freshDomain();

        Domain domain = directory().addDomain(name).block();

        assertThat(domain.name()).isEqualTo(name);
        assertThat(directory().domains().collectList().block()).contains(domain);
    }

    @Test
    void addDomainShouldRefuseADomainThatExists() {
        String name = freshDomain();
        directory().addDomain(name).block();

        StepVerifier.create(directory().addDomain(name))
                .verifyErrorSatisfies(e -> assertReason(e, Reason.DUPLICATE_DOMAIN));
    }

    @Test
    void domainsShouldBeListedByName() {
        String b = "b-" + freshDomain();
        String a = "a-" + freshDomain();
        directory().addDomain(b).block();
        directory().addDomain(a).block();

        var names = directory().domains().map(Domain::name).collectList().block();

        assertThat(names).containsSubsequence(a, b);
        assertThat(names).isSorted();
    }

    @Test
    void isLocalDomainShouldBeTrueOnlyForAddedDomains() {
        String name = freshDomain();
        directory().addDomain(name).block();

        assertThat(directory().isLocalDomain(name).block()).isTrue();
        assertThat(directory().isLocalDomain("not-" + name).block()).isFalse();
    }

    @Test
    void removeDomainShouldRemoveAnEmptyDomain() {
        String name = freshDomain();
        directory().addDomain(name).block();

        directory().removeDomain(name).block();

        assertThat(directory().isLocalDomain(name).block()).isFalse();
    }

    @Test
    void removeDomainShouldRefuseADomainThatStillHasAccounts() {
        String name = freshDomain();
        directory().addDomain(name).block();
        directory().addAccount(newAccount("ann", name)).block();

        StepVerifier.create(directory().removeDomain(name))
                .verifyErrorSatisfies(e -> assertReason(e, Reason.DOMAIN_NOT_EMPTY));
        assertThat(directory().isLocalDomain(name).block()).isTrue();
    }

    @Test
    void removeDomainShouldReportAnUnknownDomain() {
        StepVerifier.create(directory().removeDomain(freshDomain()))
                .verifyErrorSatisfies(e -> assertReason(e, Reason.UNKNOWN_DOMAIN));
    }

    @Test
    void addAccountShouldStoreEverythingItWasGiven() {
        String domain = freshDomain();
        Domain stored = directory().addDomain(domain).block();
        var wanted = new NewAccount("ann@" + domain, "ann.x-" + domain, "Ann Example", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA");

        Account account = directory().addAccount(wanted).block();

        assertThat(account.domainId()).isEqualTo(stored.id());
        assertThat(account.address()).isEqualTo(wanted.address());
        assertThat(account.authId()).isEqualTo(wanted.authId());
        assertThat(account.displayName()).isEqualTo("Ann Example");
        assertThat(account.passwordHash()).isEqualTo(wanted.passwordHash());
    }

    @Test
    void addAccountShouldAcceptAnAccountWithoutPassword() {
        String domain = freshDomain();
        directory().addDomain(domain).block();

        Account account = directory().addAccount(newAccount("bob", domain)).block();

        assertThat(account.passwordHash()).isNull();
    }

    @Test
    void addAccountShouldRefuseAnAddressInAnUnknownDomain() {
        StepVerifier.create(directory().addAccount(newAccount("ann", freshDomain())))
                .verifyErrorSatisfies(e -> assertReason(e, Reason.UNKNOWN_DOMAIN));
    }

    @Test
    void addAccountShouldRefuseAnAddressThatIsTaken() {
        String domain = freshDomain();
        directory().addDomain(domain).block();
        NewAccount first = newAccount("ann", domain);
        directory().addAccount(first).block();

        StepVerifier.create(directory().addAccount(new NewAccount(first.address(), "other-" + first.authId(), "", null)))
                .verifyErrorSatisfies(e -> assertReason(e, Reason.DUPLICATE_ADDRESS));
    }

    @Test
    void addAccountShouldRefuseAnAuthIdThatIsTakenAndWriteNothing() {
        String domain = freshDomain();
        directory().addDomain(domain).block();
        NewAccount first = newAccount("ann", domain);
        directory().addAccount(first).block();
        String otherAddress = "other@" + domain;

        StepVerifier.create(directory().addAccount(new NewAccount(otherAddress, first.authId(), "", null)))
                .verifyErrorSatisfies(e -> assertReason(e, Reason.DUPLICATE_AUTH_ID));
        assertThat(directory().findByAddress(otherAddress).blockOptional()).isEmpty();
    }

    @Test
    void addAccountShouldRejectSomethingThatIsNoAddress() {
        StepVerifier.create(directory().addAccount(new NewAccount("no-at-sign", "auth-id", "", null)))
                .verifyError(IllegalArgumentException.class);
    }

    @Test
    void findByAuthIdAndFindByAddressShouldFindTheSameAccount() {
        String domain = freshDomain();
        directory().addDomain(domain).block();
        Account account = directory().addAccount(newAccount("ann", domain)).block();

        assertThat(directory().findByAuthId(account.authId()).block()).isEqualTo(account);
        assertThat(directory().findByAddress(account.address()).block()).isEqualTo(account);
    }

    @Test
    void findShouldBeEmptyForSomeoneUnknown() {
        StepVerifier.create(directory().findByAuthId("nobody-" + freshDomain())).verifyComplete();
        StepVerifier.create(directory().findByAddress("nobody@" + freshDomain())).verifyComplete();
    }

    @Test
    void aPersonTypingTheAddressWhereTheAuthIdBelongsShouldNotBeFound() {
        String domain = freshDomain();
        directory().addDomain(domain).block();
        Account account = directory().addAccount(newAccount("ann", domain)).block();

        StepVerifier.create(directory().findByAuthId(account.address())).verifyComplete();
    }

    @Test
    void accountsShouldListOneDomainOrAllByAddress() {
        String one = freshDomain();
        String two = freshDomain();
        directory().addDomain(one).block();
        directory().addDomain(two).block();
        Account zed = directory().addAccount(newAccount("zed", one)).block();
        Account amy = directory().addAccount(newAccount("amy", one)).block();
        Account bob = directory().addAccount(newAccount("bob", two)).block();

        assertThat(directory().accounts(one).collectList().block()).containsExactly(amy, zed);
        var all = directory().accounts(null).collectList().block();
        assertThat(all).contains(amy, zed, bob);
        assertThat(all.stream().map(Account::address).toList()).isSorted();
    }

    @Test
    void setPasswordHashShouldReplaceTheHash() {
        String domain = freshDomain();
        directory().addDomain(domain).block();
        Account account = directory().addAccount(newAccount("ann", domain)).block();

        directory().setPasswordHash(account.authId(), "$argon2id$new").block();

        assertThat(directory().findByAuthId(account.authId()).block().passwordHash()).isEqualTo("$argon2id$new");
    }

    @Test
    void setPasswordHashShouldReportAnUnknownAccount() {
        StepVerifier.create(directory().setPasswordHash("nobody-" + freshDomain(), "$argon2id$x"))
                .verifyErrorSatisfies(e -> assertReason(e, Reason.UNKNOWN_ACCOUNT));
    }

    @Test
    void removeAccountShouldWorkByAuthIdAndByAddress() {
        String domain = freshDomain();
        directory().addDomain(domain).block();
        Account ann = directory().addAccount(newAccount("ann", domain)).block();
        Account bob = directory().addAccount(newAccount("bob", domain)).block();

        directory().removeAccount(ann.authId()).block();
        directory().removeAccount(bob.address()).block();

        assertThat(directory().accounts(domain).collectList().block()).isEmpty();
        directory().removeDomain(domain).block();
    }

    @Test
    void removeAccountShouldReportAnUnknownAccount() {
        StepVerifier.create(directory().removeAccount("nobody@" + freshDomain()))
                .verifyErrorSatisfies(e -> assertReason(e, Reason.UNKNOWN_ACCOUNT));
    }

    @Test
    void anAddressOfARemovedAccountShouldBeFreeAgain() {
        String domain = freshDomain();
        directory().addDomain(domain).block();
        NewAccount ann = newAccount("ann", domain);
        directory().addAccount(ann).block();
        directory().removeAccount(ann.address()).block();

        Account again = directory().addAccount(ann).block();

        assertThat(again.address()).isEqualTo(ann.address());
    }

    protected static void assertReason(Throwable error, Reason reason) {
        assertThat(error).isInstanceOf(DirectoryException.class);
        assertThat(((DirectoryException) error).reason()).isEqualTo(reason);
        assertThat(error.getMessage()).isNotBlank();
    }
}
