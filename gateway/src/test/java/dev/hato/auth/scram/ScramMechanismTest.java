package dev.hato.auth.scram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hato.auth.AuthOutcome;
import dev.hato.auth.AuthenticatorSettings;
import dev.hato.auth.CredentialSource;
import dev.hato.auth.CredentialSources;
import dev.hato.auth.Credentials;
import dev.hato.auth.DirectoryAuthenticator;
import dev.hato.auth.LocalCredentialSource;
import dev.hato.auth.PasswordHasher;
import dev.hato.auth.guard.GuardedAuthenticator;
import dev.hato.auth.guard.LoginThrottle;
import dev.hato.store.audit.AuthEvent;
import dev.hato.store.directory.Account;
import dev.hato.store.directory.Directory;
import dev.hato.store.directory.NewAccount;
import dev.hato.store.pg.PgStore;
import dev.hato.store.pg.StoreSettings;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Whole SCRAM exchanges against the real directory and audit log in embedded PostgreSQL, with the login throttle
 * and an independent client ({@link RfcScramClient}).
 */
class ScramMechanismTest {

    private static final PasswordHasher HASHER = new PasswordHasher(8, 1, 1);
    private static final String LOCAL = "scram.example.test";
    private static final String CAMPUS = "campus.example.test";
    private static final String IP = "192.0.2.44";
    private static final AtomicInteger PEOPLE = new AtomicInteger();

    @TempDir
    static Path data;
    static PgStore store;
    static Scheduler hashing;
    static byte[] secret;

    /** The campus LDAP as far as these tests need it: it knows every campus password is "pencil". */
    private static final CredentialSource CAMPUS_LDAP = new CredentialSource() {
        @Override
        public String name() {
            return "ldap:campus";
        }

        @Override
        public Mono<Boolean> verify(Account account, String password) {
            return Mono.just(password.equals("pencil"));
        }
    };

    @BeforeAll
    static void open() throws Exception {
        store = PgStore.open(StoreSettings.defaults(data));
        hashing = Schedulers.newBoundedElastic(2, 100, "scram-test-hashing");
        store.directory().addDomain(LOCAL).block();
        store.directory().addDomain(CAMPUS).block();
        secret = ScramKeySource.secretIn(data.resolve("scram-secret"));
    }

    @AfterAll
    static void close() {
        store.close();
        hashing.dispose();
    }

    private static Account person(String domain, String password) {
        String authId = "p" + PEOPLE.incrementAndGet() + "-scrm";
        return store.directory().addAccount(new NewAccount(authId + "@" + domain, authId, "Person " + authId,
                password == null ? null : HASHER.hash(password))).block();
    }

    private static CredentialSources sources() {
        return new CredentialSources(new LocalCredentialSource(HASHER, hashing), Map.of(CAMPUS, CAMPUS_LDAP));
    }

    private static GuardedAuthenticator guard(LoginThrottle throttle, Directory directory) {
        return new GuardedAuthenticator(new DirectoryAuthenticator(directory, sources(), HASHER, hashing,
                AuthenticatorSettings.defaults()), throttle, store.auditLog());
    }

    private static LoginThrottle quickThrottle() {
        return new LoginThrottle(LoginThrottle.Settings.defaults().withDelays(Duration.ZERO, Duration.ZERO)
                .withPerAuthIdFromClient(new LoginThrottle.Limits(0, 3)), Schedulers.parallel());
    }

    private static ScramMechanism mechanism(GuardedAuthenticator guard, Directory directory) {
        return new ScramMechanism(guard, new ScramKeySource(directory, sources(), secret,
                AuthenticatorSettings.defaults().withDirectoryTimeout(Duration.ofSeconds(5))));
    }

    private static ScramMechanism mechanism() {
        return mechanism(guard(quickThrottle(), store.directory()), store.directory());
    }

    /** A whole exchange; the server-first-message it saw goes to {@code seen} when given. */
    private static ScramMechanism.Done login(ScramMechanism mechanism, String user, String password,
                                             List<String> seen) throws Exception {
        RfcScramClient client = new RfcScramClient("n,,", user, password, "c" + PEOPLE.incrementAndGet() + "nonce");
        ScramMechanism.Exchange exchange = mechanism.start("imap", IP);
        ScramMechanism.Step first = exchange.clientFirst(client.first()).block(Duration.ofSeconds(10));
        if (first instanceof ScramMechanism.Done done) {
            return done;
        }
        String serverFirst = ((ScramMechanism.Challenge) first).message();
        seen.add(serverFirst);
        ScramMechanism.Step last = exchange.clientFinal(client.finalMessage(serverFirst)).block(Duration.ofSeconds(10));
        ScramMechanism.Done done = (ScramMechanism.Done) last;
        if (done.outcome() instanceof AuthOutcome.Success) {
            assertThat(client.acceptsServerFinal(done.message())).as("server signature").isTrue();
        }
        return done;
    }

    private static ScramMechanism.Done login(ScramMechanism mechanism, String user, String password)
            throws Exception {
        return login(mechanism, user, password, new java.util.ArrayList<>());
    }

    private static List<AuthEvent> audited(String login, int expected) {
        await().atMost(Duration.ofSeconds(20)).until(() ->
                store.auditLog().query(login, null, 50).collectList().block().size() >= expected);
        List<AuthEvent> newestFirst = new java.util.ArrayList<>(store.auditLog().query(login, null, 50).collectList()
                .block());
        java.util.Collections.reverse(newestFirst);
        return newestFirst;
    }

    @Test
    void theRightPasswordShouldLogInAndBeAudited() throws Exception {
        Account ann = person(LOCAL, "pencil");

        ScramMechanism.Done done = login(mechanism(), ann.authId().toUpperCase(), "pencil");

        assertThat(done.outcome()).isEqualTo(new AuthOutcome.Success(ann));
        assertThat(done.message()).startsWith("v=");
        AuthEvent event = audited(ann.authId(), 1).get(0);
        assertThat(event.result()).isEqualTo(AuthEvent.Result.SUCCESS);
        assertThat(event.protocol()).isEqualTo("imap");
        assertThat(event.accountId()).isEqualTo(ann.id());
    }

    @Test
    void aWrongPasswordShouldBeRejectedWithInvalidProof() throws Exception {
        Account ann = person(LOCAL, "pencil");

        ScramMechanism.Done done = login(mechanism(), ann.authId(), "crayon");

        assertThat(done).isEqualTo(new ScramMechanism.Done(new AuthOutcome.Rejected(false), "e=invalid-proof"));
        assertThat(audited(ann.authId(), 1).get(0).result()).isEqualTo(AuthEvent.Result.REJECTED);
    }

    @Test
    void anUnknownUserShouldBeIndistinguishableFromAWrongPassword() throws Exception {
        Account ann = person(LOCAL, "pencil");
        ScramMechanism mechanism = mechanism();
        List<String> known = new java.util.ArrayList<>();
        List<String> unknown = new java.util.ArrayList<>();

        String stranger = "nobody-zz" + PEOPLE.incrementAndGet();

        ScramMechanism.Done wrong = login(mechanism, ann.authId(), "crayon", known);
        ScramMechanism.Done nobody = login(mechanism, stranger, "crayon", unknown);
        login(mechanism, stranger, "pencil", unknown);
        login(mechanism, ann.authId(), "crayon", known);

        assertThat(nobody).isEqualTo(wrong);
        // Same shape, and a salt that stays the same for the same user, as a real account's does.
        assertThat(unknown.get(0)).matches("r=[^,]+,s=[A-Za-z0-9+/]{22}==,i=4096");
        assertThat(known.get(0)).matches("r=[^,]+,s=[A-Za-z0-9+/]{22}==,i=4096");
        assertThat(salt(unknown.get(0))).isEqualTo(salt(unknown.get(1))).isNotEqualTo(salt(known.get(0)));
        assertThat(salt(known.get(0))).isEqualTo(salt(known.get(1)));
    }

    @Test
    void aDecoySaltShouldSurviveARestartWithTheSameSecretFile() throws Exception {
        ScramKeySource one = new ScramKeySource(store.directory(), sources(), secret, AuthenticatorSettings.defaults());
        ScramKeySource two = new ScramKeySource(store.directory(), sources(),
                ScramKeySource.secretIn(data.resolve("scram-secret")), AuthenticatorSettings.defaults());

        assertThat(one.decoy("nobody-zz").salt()).isEqualTo(two.decoy("NOBODY-ZZ").salt());
        assertThat(Files.readAllBytes(data.resolve("scram-secret"))).hasSize(ScramKeySource.MIN_SECRET);
    }

    @Test
    void aLoginThatLooksLikeAnAddressShouldEndAsRejectedWithAddressGiven() throws Exception {
        Account ann = person(LOCAL, "pencil");

        ScramMechanism.Done done = login(mechanism(), ann.authId() + "@" + LOCAL, "pencil");

        assertThat(done).isEqualTo(new ScramMechanism.Done(new AuthOutcome.Rejected(true), "e=invalid-proof"));
    }

    @Test
    void anAccountWhosePasswordLivesInLdapOrNowhereShouldFailLikeAWrongPassword() throws Exception {
        Account carl = person(CAMPUS, "pencil"); // a stale local hash must not matter: the domain's source decides
        Account dora = person(LOCAL, null);

        assertThat(login(mechanism(), carl.authId(), "pencil"))
                .isEqualTo(new ScramMechanism.Done(new AuthOutcome.Rejected(false), "e=invalid-proof"));
        assertThat(login(mechanism(), dora.authId(), "pencil"))
                .isEqualTo(new ScramMechanism.Done(new AuthOutcome.Rejected(false), "e=invalid-proof"));
    }

    @Test
    void failedScramLoginsShouldLockOutPasswordLoginsToo() throws Exception {
        Account ann = person(LOCAL, "pencil");
        LoginThrottle throttle = quickThrottle();
        GuardedAuthenticator guard = guard(throttle, store.directory());
        ScramMechanism mechanism = mechanism(guard, store.directory());

        login(mechanism, ann.authId(), "crayon");
        login(mechanism, ann.authId(), "chalk");
        ScramMechanism.Exchange abandoned = mechanism.start("imap", IP);
        abandoned.clientFirst(new RfcScramClient("n,,", ann.authId(), "x", "abc").first()).block();
        assertThat(abandoned.abandon().block()).isEqualTo(new AuthOutcome.Rejected(false));

        AuthOutcome locked = new AuthOutcome.Unavailable(GuardedAuthenticator.LOCKED_REASON);
        assertThat(login(mechanism, ann.authId(), "pencil")).isEqualTo(new ScramMechanism.Done(locked, null));
        assertThat(guard.authenticate(new Credentials(ann.authId(), "pencil", "smtp", IP)).block()).isEqualTo(locked);
        assertThat(audited(ann.authId(), 5)).extracting(AuthEvent::result).containsExactly(
                AuthEvent.Result.REJECTED, AuthEvent.Result.REJECTED, AuthEvent.Result.REJECTED,
                AuthEvent.Result.LOCKED, AuthEvent.Result.LOCKED);
    }

    @Test
    void aDirectoryThatCannotAnswerShouldGiveATemporaryFailureNotAWrongPassword() throws Exception {
        Directory down = (Directory) Proxy.newProxyInstance(Directory.class.getClassLoader(),
                new Class<?>[] {Directory.class},
                (proxy, method, args) -> Mono.error(new IllegalStateException("database down")));
        LoginThrottle throttle = quickThrottle();

        ScramMechanism.Done done = login(mechanism(guard(throttle, down), down), "ann-x7q2", "pencil");

        assertThat(done).isEqualTo(new ScramMechanism.Done(new AuthOutcome.Unavailable("directory unavailable"),
                null));
        assertThat(throttle.failures("ann-x7q2")).isZero();
    }

    @Test
    void aMalformedFirstMessageShouldBeRefusedWithoutCountingAsALogin() {
        ScramMechanism.Step step = mechanism().start("smtp", IP)
                .clientFirst("p=tls-unique,,n=ann,r=abc".getBytes(StandardCharsets.UTF_8)).block();

        assertThat(step).isEqualTo(new ScramMechanism.Done(new AuthOutcome.Rejected(false),
                "e=channel-binding-not-supported"));
    }

    private static String salt(String serverFirst) {
        return serverFirst.split(",")[1];
    }
}
