package dev.hato.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hato.auth.PasswordHasher;
import dev.hato.store.directory.Account;
import dev.hato.store.directory.Directory;
import dev.hato.store.directory.Domain;
import dev.hato.store.directory.ImportResult;
import dev.hato.store.directory.ImportRow;
import dev.hato.store.directory.NewAccount;
import dev.hato.store.pg.PgStore;
import dev.hato.store.pg.StoreSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** Bulk import through {@link Provisioning#importPeople} against the embedded PostgreSQL, with a cheap hasher. */
class ProvisioningImportTest {

    /** Argon2id at its minimum cost: the rules are the same, the tests fast. */
    private static final PasswordHasher HASHER = new PasswordHasher(8, 1, 1);
    private static final AtomicInteger DOMAINS = new AtomicInteger();

    @TempDir
    static Path data;

    static PgStore store;
    static Scheduler hashing;

    @BeforeAll
    static void open() {
        store = PgStore.open(StoreSettings.defaults(data));
        hashing = Schedulers.newBoundedElastic(2, 100, "import-test");
    }

    @AfterAll
    static void close() {
        store.close();
        hashing.dispose();
    }

    private static Provisioning provisioning() {
        return provisioning(store.directory());
    }

    private static Provisioning provisioning(Directory directory) {
        return new Provisioning(directory, HASHER, hashing);
    }

    private static String freshDomain() {
        String domain = "imp" + DOMAINS.incrementAndGet() + ".example";
        store.directory().addDomain(domain).block();
        return domain;
    }

    private static ImportReport importAll(List<Person> people) {
        return provisioning().importPeople(people, ImportOptions.defaults(), ImportListener.NONE).block();
    }

    private static List<Account> accounts(String domain) {
        return store.directory().accounts(domain).collectList().block();
    }

    private static Person person(int line, String address, @Nullable String name, @Nullable String authId,
                                 Person.Password password) {
        return new Person(line, address, name, authId, password);
    }

    // ---- validation ---------------------------------------------------------------------------------------------

    static Stream<Arguments> badRows() {
        return Stream.of(
                Arguments.of("malformed address", person(3, "not-an-address", "X", null, Person.Password.GENERATE),
                        "line 3: malformed address 'not-an-address': expected local-part@domain"),
                Arguments.of("missing address", person(3, "  ", "X", null, Person.Password.GENERATE),
                        "line 3: missing address"),
                Arguments.of("unknown domain", person(3, "x@nowhere.example", "X", null, Person.Password.GENERATE),
                        "line 3: unknown domain 'nowhere.example' of x@nowhere.example (add it first: hato domain "
                                + "add nowhere.example)"),
                Arguments.of("malformed auth ID", person(3, "x@D", "X", "has space", Person.Password.GENERATE),
                        "line 3: malformed auth ID 'has space': use 1-64 of a-z 0-9 . _ - starting with a letter or "
                                + "digit (no '@')"),
                Arguments.of("short password", person(3, "x@D", "X", null, Person.Password.given("short")),
                        "line 3: password too short: at least 8 characters"),
                Arguments.of("control character in a password", person(3, "x@D", "X", null,
                                Person.Password.given("tab\there-long")),
                        "line 3: password must be at most 1024 printable characters"),
                Arguments.of("display name over two lines", person(3, "x@D", "Two\nLines", null,
                                Person.Password.EXTERNAL),
                        "line 3: display name must be one line of at most 256 characters"),
                Arguments.of("duplicate address", person(3, "ANN@D", "X", null, Person.Password.GENERATE),
                        "line 3: duplicate address 'ann@D' (first on line 2)"),
                Arguments.of("duplicate auth ID", person(3, "x@D", "X", "Ann-Given", Person.Password.GENERATE),
                        "line 3: duplicate auth ID 'ann-given' (first on line 2)"),
                Arguments.of("auth ID of an existing account changed", person(3, "kept@D", "X", "other-id",
                                Person.Password.GENERATE),
                        "line 3: auth ID 'other-id' differs from 'KEPT_ID' of the existing account kept@D (auth "
                                + "IDs are never changed; leave the cell empty to keep it)"),
                Arguments.of("auth ID taken by another account", person(3, "x@D", "X", "KEPT_ID",
                                Person.Password.GENERATE),
                        "line 3: auth ID 'KEPT_ID' is taken by the account kept@D"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRows")
    void aBadRowShouldBeReportedWithItsLineAndNothingShouldBeWritten(String kind, Person bad, String message) {
        String domain = freshDomain();
        String keptId = "kept-" + domain.replace('.', '-');
        Account kept = store.directory().addAccount(new NewAccount("kept@" + domain, keptId, "Kept", null)).block();
        Account old = store.directory().addAccount(new NewAccount("old@" + domain, "old-" + keptId, "Old", null))
                .block();
        List<Person> people = List.of(
                person(2, "ann@" + domain, "Ann", "ann-given", Person.Password.given("long-enough-1")),
                withDomain(bad, domain, keptId),
                person(4, "bob@" + domain, "Bob", null, Person.Password.EXTERNAL),
                person(5, "old@" + domain, "Old Renamed", null, Person.Password.EXTERNAL));
        String expected = message.replace("KEPT_ID", keptId).replace("@D", "@" + domain);

        assertThat(provisioning().checkPeople(people).block()).extracting(ImportProblem::toString)
                .containsExactly(expected);
        assertThatThrownBy(() -> importAll(people))
                .isInstanceOfSatisfying(ImportRefusedException.class, e -> {
                    assertThat(e.problems()).extracting(ImportProblem::toString).containsExactly(expected);
                    assertThat(e.getMessage()).isEqualTo("1 bad row, nothing imported");
                });
        assertThat(accounts(domain)).containsExactly(kept, old);
    }

    private static Person withDomain(Person bad, String domain, String keptId) {
        String authId = bad.authId() == null ? null : bad.authId().replace("KEPT_ID", keptId);
        return new Person(bad.line(), bad.address().replace("@D", "@" + domain), bad.displayName(), authId,
                bad.password());
    }

    @Test
    void everyBadRowShouldBeReportedInLineOrderWithAllItsProblems() {
        String domain = freshDomain();
        List<Person> people = List.of(
                person(2, "ok@" + domain, "Ok", null, Person.Password.GENERATE),
                person(3, "x@nowhere.example", "X", "bad id", Person.Password.given("short")),
                person(4, "ok@" + domain, "Again", null, Person.Password.GENERATE));

        assertThat(provisioning().checkPeople(people).block()).extracting(ImportProblem::toString).containsExactly(
                "line 3: unknown domain 'nowhere.example' of x@nowhere.example (add it first: hato domain add "
                        + "nowhere.example)",
                "line 3: malformed auth ID 'bad id': use 1-64 of a-z 0-9 . _ - starting with a letter or digit "
                        + "(no '@')",
                "line 3: password too short: at least 8 characters",
                "line 4: duplicate address 'ok@" + domain + "' (first on line 2)");
        assertThatThrownBy(() -> importAll(people)).hasMessage("2 bad rows, nothing imported");
        assertThat(accounts(domain)).isEmpty();
    }

    // ---- importing ----------------------------------------------------------------------------------------------

    @Test
    void newPeopleShouldGetAccountsWithIssuedAuthIdsAndTheRightPasswords() {
        String domain = freshDomain();
        List<Person> people = List.of(
                person(2, "Ann.Lee@" + domain, "Ann Lee", null, Person.Password.GENERATE),
                person(3, "taro@" + domain, "山田 太郎", "Taro-Given", Person.Password.given("taro-secret")),
                Person.external(4, "ext@" + domain, "External Person", null));

        ImportReport report = importAll(people);

        assertThat(report.result()).isEqualTo(new ImportResult(3, 0, 0));
        assertThat(report.issued()).extracting(Issued::line).containsExactly(2, 3, 4);
        Issued ann = report.issued().get(0);
        assertThat(ann.authId()).matches("ann\\.lee-[a-z2-9]{4}");
        assertThat(ann.initialPassword()).hasSize(16);
        assertThat(HASHER.verify(ann.initialPassword(),
                store.directory().findByAuthId(ann.authId()).block().passwordHash())).isTrue();
        Account taro = store.directory().findByAuthId("taro-given").block();
        assertThat(taro.displayName()).isEqualTo("山田 太郎");
        assertThat(HASHER.verify("taro-secret", taro.passwordHash())).isTrue();
        assertThat(report.issued().get(1).initialPassword()).isNull();
        Account ext = store.directory().findByAddress("ext@" + domain).block();
        assertThat(ext.passwordHash()).isNull();
        assertThat(ext.authId()).matches("ext-[a-z2-9]{4}");
        assertThat(report.initialPasswords()).isEqualTo(1);
    }

    @Test
    void importingTheSameRowsAgainShouldChangeNothing() {
        String domain = freshDomain();
        List<Person> people = List.of(
                person(2, "ann@" + domain, "Ann", null, Person.Password.GENERATE),
                person(3, "bob@" + domain, "Bob", "bob-given", Person.Password.given("bob-secret")),
                Person.external(4, "cat@" + domain, "Cat", null));
        ImportReport first = importAll(people);
        List<Account> before = accounts(domain);

        ImportReport second = importAll(people);

        assertThat(second.result()).isEqualTo(new ImportResult(0, 0, 3));
        assertThat(accounts(domain)).isEqualTo(before);
        assertThat(second.issued()).extracting(Issued::authId)
                .containsExactlyElementsOf(first.issued().stream().map(Issued::authId).toList());
        assertThat(second.issued()).extracting(Issued::initialPassword).containsOnlyNulls();
    }

    @Test
    void existingAccountsShouldGetTheNewNameAndOnlyAPasswordTheRowGives() {
        String domain = freshDomain();
        importAll(List.of(
                person(2, "ann@" + domain, "Ann", null, Person.Password.given("ann-old-pass")),
                person(3, "bob@" + domain, "Bob", null, Person.Password.given("bob-old-pass")),
                person(4, "cat@" + domain, "Cat", null, Person.Password.given("cat-old-pass")),
                person(5, "dan@" + domain, "Dan", null, Person.Password.given("dan-old-pass"))));
        List<Account> before = accounts(domain);

        ImportReport report = importAll(List.of(
                person(2, "ann@" + domain, "Ann Renamed", null, Person.Password.GENERATE),
                person(3, "bob@" + domain, "Bob", null, Person.Password.given("bob-new-pass")),
                Person.external(4, "cat@" + domain, "Cat", null),
                person(5, "dan@" + domain, null, null, Person.Password.given("dan-old-pass"))));

        assertThat(report.result()).isEqualTo(new ImportResult(0, 3, 1));
        assertThat(report.initialPasswords()).isZero();
        List<Account> after = accounts(domain);
        assertThat(after.get(0).displayName()).isEqualTo("Ann Renamed");
        assertThat(after.get(0).passwordHash()).isEqualTo(before.get(0).passwordHash());
        assertThat(HASHER.verify("bob-new-pass", after.get(1).passwordHash())).isTrue();
        assertThat(after.get(2).passwordHash()).isNull();
        assertThat(after.get(3)).isEqualTo(before.get(3));
        assertThat(after).extracting(Account::authId)
                .containsExactlyElementsOf(before.stream().map(Account::authId).toList());
    }

    @Test
    void batchesShouldBeCommittedOneAfterTheOtherAndReportedToTheListener() {
        String domain = freshDomain();
        List<Person> people = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            people.add(person(i + 2, "p" + i + "@" + domain, "P " + i, null,
                    i % 2 == 0 ? Person.Password.GENERATE : Person.Password.EXTERNAL));
        }
        List<String> events = new ArrayList<>();
        ImportListener listener = new ImportListener() {
            @Override
            public void started(int rows) {
                events.add("started " + rows);
            }

            @Override
            public void prepared(int rows) {
                events.add("prepared " + rows);
            }

            @Override
            public void committed(List<Issued> issued, ImportResult result) {
                events.add("committed " + issued.stream().map(Issued::line).toList() + " " + result.created());
            }
        };

        ImportReport report = provisioning().importPeople(people, ImportOptions.defaults().withBatchSize(2), listener)
                .block();

        assertThat(report.result()).isEqualTo(new ImportResult(5, 0, 0));
        assertThat(events).containsExactly("started 5", "prepared 1", "prepared 1", "committed [2, 3] 2",
                "prepared 1", "prepared 1", "committed [4, 5] 2", "prepared 1", "committed [6] 1");
        assertThat(report.hashing()).isPositive();
        assertThat(report.database()).isPositive();
        assertThat(report.total()).isGreaterThanOrEqualTo(report.hashing().plus(report.database()));
    }

    @Test
    void aBatchThatFailsShouldStopTheImportAndLeaveTheEarlierBatchesCommitted() {
        String domain = freshDomain();
        AtomicInteger calls = new AtomicInteger();
        Directory failingSecondBatch = new ForwardingDirectory(store.directory()) {
            @Override
            public Mono<ImportResult> importAccounts(List<ImportRow> rows) {
                return calls.incrementAndGet() == 2
                        ? Mono.error(new IllegalStateException("connection lost"))
                        : super.importAccounts(rows);
            }
        };
        List<Person> people = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            people.add(Person.external(i + 2, "p" + i + "@" + domain, "P " + i, null));
        }
        List<Integer> committed = new ArrayList<>();
        ImportListener listener = new ImportListener() {
            @Override
            public void committed(List<Issued> issued, ImportResult result) {
                issued.forEach(i -> committed.add(i.line()));
            }
        };

        assertThatThrownBy(() -> provisioning(failingSecondBatch)
                .importPeople(people, ImportOptions.defaults().withBatchSize(2), listener).block())
                .hasMessageContaining("connection lost");

        assertThat(committed).containsExactly(2, 3);
        assertThat(accounts(domain)).extracting(Account::address).containsExactly("p0@" + domain, "p1@" + domain);
        ImportReport rerun = importAll(people);
        assertThat(rerun.result()).isEqualTo(new ImportResult(4, 0, 2));
    }

    @Test
    void aGeneratedAuthIdThatIsTakenShouldBeIssuedAnew() {
        String domain = freshDomain();
        List<String> reportedTaken = new ArrayList<>();
        Directory takenOnce = new ForwardingDirectory(store.directory()) {
            @Override
            public Flux<Account> findAccounts(Collection<String> addresses, Collection<String> authIds) {
                if (addresses.isEmpty() && reportedTaken.isEmpty() && !authIds.isEmpty()) {
                    String id = authIds.iterator().next();
                    reportedTaken.add(id);
                    return Flux.just(new Account(-1, -1, "someone@else.example", id, "", null));
                }
                return super.findAccounts(addresses, authIds);
            }
        };

        ImportReport report = provisioning(takenOnce).importPeople(
                List.of(Person.external(2, "ann@" + domain, "Ann", null)), ImportOptions.defaults(),
                ImportListener.NONE).block();

        assertThat(reportedTaken).hasSize(1);
        assertThat(report.issued().get(0).authId()).matches("ann-[a-z2-9]{4}").isNotEqualTo(reportedTaken.get(0));
        assertThat(store.directory().findByAddress("ann@" + domain).block().authId())
                .isEqualTo(report.issued().get(0).authId());
    }

    @Test
    void aBatchRefusedForATakenGeneratedAuthIdShouldBeRetriedWithANewOne() {
        String domain = freshDomain();
        AtomicInteger attempts = new AtomicInteger();
        List<String> written = new ArrayList<>();
        Directory racing = new ForwardingDirectory(store.directory()) {
            @Override
            public Mono<ImportResult> importAccounts(List<ImportRow> rows) {
                if (attempts.incrementAndGet() == 1) {
                    // Someone took the generated ID between the check and the write.
                    String id = rows.get(0).authId();
                    return store.directory().addAccount(new NewAccount("racer@" + domain, id, "Racer", null))
                            .then(super.importAccounts(rows));
                }
                rows.forEach(row -> written.add(row.authId()));
                return super.importAccounts(rows);
            }
        };

        ImportReport report = provisioning(racing).importPeople(
                List.of(Person.external(2, "ann@" + domain, "Ann", null)), ImportOptions.defaults(),
                ImportListener.NONE).block();

        assertThat(attempts).hasValue(2);
        assertThat(report.result()).isEqualTo(new ImportResult(1, 0, 0));
        assertThat(written).containsExactly(report.issued().get(0).authId());
        assertThat(store.directory().findByAddress("ann@" + domain).block().authId())
                .isEqualTo(report.issued().get(0).authId())
                .isNotEqualTo(store.directory().findByAddress("racer@" + domain).block().authId());
    }

    @Test
    void aNewPersonWhoseRowHasNoDisplayNameShouldGetAnEmptyOne() {
        String domain = freshDomain();

        importAll(List.of(Person.external(2, "ann@" + domain, null, "ann-" + domain.replace('.', '-'))));

        assertThat(accounts(domain)).extracting(Account::displayName).containsExactly("");
    }

    @Test
    void passwordsShouldNeverShowInToString() {
        assertThat(Person.Password.given("top-secret-1").toString()).doesNotContain("top-secret-1");
        assertThat(new Issued(2, "a@b.test", "a-1234", "Init1alPassw0rd").toString()).doesNotContain("Init1al");
        assertThat(ImportRow.withPasswordHash("a@b.test", "a-1", null, "$argon2id$x").toString())
                .doesNotContain("argon2id");
    }

    /** Passes every call to a real directory; tests override what they break. */
    private static class ForwardingDirectory implements Directory {
        private final Directory delegate;

        ForwardingDirectory(Directory delegate) {
            this.delegate = delegate;
        }

        @Override
        public Mono<Void> setAddressList(String domain, boolean on) {
            return delegate.setAddressList(domain, on);
        }

        @Override
        public Mono<Boolean> hasAddressList(String domain) {
            return delegate.hasAddressList(domain);
        }

        @Override
        public Flux<dev.hato.store.directory.ListedPerson> addressList(String domain, String text, int limit) {
            return delegate.addressList(domain, text, limit);
        }

        @Override
        public Mono<Domain> addDomain(String name) {
            return delegate.addDomain(name);
        }

        @Override
        public Flux<Domain> domains() {
            return delegate.domains();
        }

        @Override
        public Mono<Void> removeDomain(String name) {
            return delegate.removeDomain(name);
        }

        @Override
        public Mono<Boolean> isLocalDomain(String name) {
            return delegate.isLocalDomain(name);
        }

        @Override
        public Mono<Account> addAccount(NewAccount account) {
            return delegate.addAccount(account);
        }

        @Override
        public Mono<Account> findByAuthId(String authId) {
            return delegate.findByAuthId(authId);
        }

        @Override
        public Mono<Account> findByAddress(String address) {
            return delegate.findByAddress(address);
        }

        @Override
        public Flux<Account> accounts(@Nullable String domain) {
            return delegate.accounts(domain);
        }

        @Override
        public Mono<Void> setPasswordHash(String authId, String passwordHash) {
            return delegate.setPasswordHash(authId, passwordHash);
        }

        @Override
        public Mono<Void> removeAccount(String authIdOrAddress) {
            return delegate.removeAccount(authIdOrAddress);
        }

        @Override
        public Mono<java.util.Map<String, String>> settings(long accountId) {
            return delegate.settings(accountId);
        }

        @Override
        public Mono<Void> setSetting(long accountId, String name, String value) {
            return delegate.setSetting(accountId, name, value);
        }

        @Override
        public Flux<Account> findAccounts(Collection<String> addresses, Collection<String> authIds) {
            return delegate.findAccounts(addresses, authIds);
        }

        @Override
        public Mono<ImportResult> importAccounts(List<ImportRow> rows) {
            return delegate.importAccounts(rows);
        }
    }
}
