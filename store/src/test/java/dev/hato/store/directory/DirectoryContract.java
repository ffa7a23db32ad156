package dev.hato.store.directory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.directory.DirectoryException.Reason;
import java.util.List;
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

    @Test
    void findAccountsShouldFindAccountsByAddressOrByAuthIdInOneCall() {
        String domain = freshDomain();
        directory().addDomain(domain).block();
        Account ann = directory().addAccount(newAccount("ann", domain)).block();
        Account bob = directory().addAccount(newAccount("bob", domain)).block();
        directory().addAccount(newAccount("cat", domain)).block();

        var found = directory().findAccounts(List.of(ann.address(), "nobody@" + domain), List.of(bob.authId(), "x-1"))
                .collectList().block();

        assertThat(found).containsExactlyInAnyOrder(ann, bob);
        assertThat(directory().findAccounts(List.of(), List.of()).collectList().block()).isEmpty();
    }

    @Test
    void importAccountsShouldCreateAccountsThatDoNotExist() {
        String domain = freshDomain();
        directory().addDomain(domain).block();
        var rows = List.of(
                ImportRow.withPasswordHash("ann@" + domain, "ann-" + domain, "Ann", "$argon2id$ann"),
                ImportRow.withoutPassword("bob@" + domain, "bob-" + domain, "山田 太郎"),
                ImportRow.keepingPassword("cat@" + domain, "cat-" + domain, null));

        ImportResult result = directory().importAccounts(rows).block();

        assertThat(result).isEqualTo(new ImportResult(3, 0, 0));
        Account ann = directory().findByAuthId("ann-" + domain).block();
        assertThat(ann.address()).isEqualTo("ann@" + domain);
        assertThat(ann.displayName()).isEqualTo("Ann");
        assertThat(ann.passwordHash()).isEqualTo("$argon2id$ann");
        Account bob = directory().findByAddress("bob@" + domain).block();
        assertThat(bob.displayName()).isEqualTo("山田 太郎");
        assertThat(bob.passwordHash()).isNull();
        Account cat = directory().findByAddress("cat@" + domain).block();
        assertThat(cat.displayName()).isEmpty();
        assertThat(cat.passwordHash()).isNull();
    }

    @Test
    void importAccountsShouldUpdateDisplayNameAndPasswordOfExistingAccountsButNeverTheirAuthId() {
        String domain = freshDomain();
        directory().addDomain(domain).block();
        Account ann = directory().addAccount(new NewAccount("ann@" + domain, "ann-" + domain, "Ann", "$argon2id$old"))
                .block();
        Account bob = directory().addAccount(new NewAccount("bob@" + domain, "bob-" + domain, "Bob", "$argon2id$bob"))
                .block();
        Account cat = directory().addAccount(new NewAccount("cat@" + domain, "cat-" + domain, "Cat", "$argon2id$cat"))
                .block();

        ImportResult result = directory().importAccounts(List.of(
                ImportRow.withPasswordHash(ann.address(), ann.authId(), "Ann Example", "$argon2id$new"),
                ImportRow.keepingPassword(bob.address(), bob.authId(), "Bob Example"),
                ImportRow.withoutPassword(cat.address(), cat.authId(), null))).block();

        assertThat(result).isEqualTo(new ImportResult(0, 3, 0));
        assertThat(directory().findByAddress(ann.address()).block())
                .isEqualTo(new Account(ann.id(), ann.domainId(), ann.address(), ann.authId(), "Ann Example",
                        "$argon2id$new"));
        assertThat(directory().findByAddress(bob.address()).block())
                .isEqualTo(new Account(bob.id(), bob.domainId(), bob.address(), bob.authId(), "Bob Example",
                        "$argon2id$bob"));
        assertThat(directory().findByAddress(cat.address()).block())
                .isEqualTo(new Account(cat.id(), cat.domainId(), cat.address(), cat.authId(), "Cat", null));
    }

    @Test
    void importAccountsShouldCountRowsThatChangeNothingAsUnchanged() {
        String domain = freshDomain();
        directory().addDomain(domain).block();
        var rows = List.of(
                ImportRow.keepingPassword("ann@" + domain, "ann-" + domain, "Ann"),
                ImportRow.withoutPassword("bob@" + domain, "bob-" + domain, "Bob"),
                ImportRow.keepingPassword("cat@" + domain, "cat-" + domain, null));
        directory().importAccounts(rows).block();
        var before = directory().accounts(domain).collectList().block();

        ImportResult again = directory().importAccounts(rows).block();

        assertThat(again).isEqualTo(new ImportResult(0, 0, 3));
        assertThat(directory().accounts(domain).collectList().block()).isEqualTo(before);
    }

    @Test
    void importAccountsShouldCreateUpdateAndKeepInOneBatch() {
        String domain = freshDomain();
        directory().addDomain(domain).block();
        Account ann = directory().addAccount(newAccount("ann", domain)).block();
        Account bob = directory().addAccount(newAccount("bob", domain)).block();

        ImportResult result = directory().importAccounts(List.of(
                ImportRow.keepingPassword(ann.address(), ann.authId(), ann.displayName()),
                ImportRow.keepingPassword(bob.address(), bob.authId(), "Someone Else"),
                ImportRow.keepingPassword("dan@" + domain, "dan-" + domain, "Dan"))).block();

        assertThat(result).isEqualTo(new ImportResult(1, 1, 1));
        assertThat(result.rows()).isEqualTo(3);
    }

    @Test
    void importAccountsShouldRefuseAnotherAuthIdForAnExistingAddressAndWriteNothing() {
        String domain = freshDomain();
        directory().addDomain(domain).block();
        Account ann = directory().addAccount(newAccount("ann", domain)).block();

        StepVerifier.create(directory().importAccounts(List.of(
                        ImportRow.keepingPassword("bob@" + domain, "bob-" + domain, "Bob"),
                        ImportRow.keepingPassword(ann.address(), "someone-else", "Ann Renamed"))))
                .verifyErrorSatisfies(e -> {
                    assertReason(e, Reason.DUPLICATE_ADDRESS);
                    assertThat(e.getMessage()).contains(ann.address()).contains(ann.authId());
                });
        assertThat(directory().accounts(domain).collectList().block()).containsExactly(ann);
    }

    @Test
    void aFailureInTheMiddleOfABatchShouldLeaveNothingOfThatBatch() {
        String domain = freshDomain();
        directory().addDomain(domain).block();
        Account taken = directory().addAccount(newAccount("taken", domain)).block();
        Account ann = directory().addAccount(newAccount("ann", domain)).block();

        // Sorted by address the failing row is in the middle: the update of ann and the insert of zed are in the
        // same transaction as the insert that violates the unique auth ID.
        StepVerifier.create(directory().importAccounts(List.of(
                        ImportRow.withoutPassword("zed@" + domain, "zed-" + domain, "Zed"),
                        ImportRow.keepingPassword(ann.address(), ann.authId(), "Ann Renamed"),
                        ImportRow.keepingPassword("mia@" + domain, taken.authId(), "Mia"))))
                .verifyErrorSatisfies(e -> {
                    assertReason(e, Reason.DUPLICATE_AUTH_ID);
                    assertThat(e.getMessage()).contains(taken.authId());
                });
        assertThat(directory().accounts(domain).collectList().block()).containsExactly(ann, taken);
    }

    @Test
    void importAccountsShouldRefuseAnUnknownDomainAndWriteNothing() {
        String domain = freshDomain();
        String unknown = freshDomain();
        directory().addDomain(domain).block();

        StepVerifier.create(directory().importAccounts(List.of(
                        ImportRow.keepingPassword("ann@" + domain, "ann-" + domain, "Ann"),
                        ImportRow.keepingPassword("bob@" + unknown, "bob-" + domain, "Bob"))))
                .verifyErrorSatisfies(e -> {
                    assertReason(e, Reason.UNKNOWN_DOMAIN);
                    assertThat(e.getMessage()).contains(unknown);
                });
        assertThat(directory().accounts(domain).collectList().block()).isEmpty();
    }

    @Test
    void importAccountsShouldRejectAnAddressOrAuthIdTwiceInOneCall() {
        String domain = freshDomain();
        directory().addDomain(domain).block();

        StepVerifier.create(directory().importAccounts(List.of(
                        ImportRow.keepingPassword("ann@" + domain, "ann-1", "Ann"),
                        ImportRow.keepingPassword("ann@" + domain, "ann-2", "Ann"))))
                .verifyError(IllegalArgumentException.class);
        StepVerifier.create(directory().importAccounts(List.of(
                        ImportRow.keepingPassword("ann@" + domain, "ann-1", "Ann"),
                        ImportRow.keepingPassword("bob@" + domain, "ann-1", "Bob"))))
                .verifyError(IllegalArgumentException.class);
        assertThat(directory().accounts(domain).collectList().block()).isEmpty();
    }

    @Test
    void importAccountsOfNoRowsShouldDoNothing() {
        assertThat(directory().importAccounts(List.of()).block()).isEqualTo(ImportResult.NONE);
    }

    protected static void assertReason(Throwable error, Reason reason) {
        assertThat(error).isInstanceOf(DirectoryException.class);
        assertThat(((DirectoryException) error).reason()).isEqualTo(reason);
        assertThat(error.getMessage()).isNotBlank();
    }
}
