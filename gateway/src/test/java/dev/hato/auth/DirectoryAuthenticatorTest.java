package dev.hato.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.directory.Account;
import dev.hato.store.directory.NewAccount;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class DirectoryAuthenticatorTest {

    private static final PasswordHasher HASHER = new PasswordHasher(64, 1, 1);

    private final InMemoryDirectory directory = new InMemoryDirectory();
    private final Scheduler hashing = Schedulers.newBoundedElastic(2, 100, "test-hashing");
    private final StubSource campus = new StubSource("ldap:campus", "campus horse");
    private final StubSource portal = new StubSource("http:portal", "portal horse");
    private DirectoryAuthenticator authenticator;
    private Account ann;
    private Account bob;

    @BeforeEach
    void accounts() {
        directory.addDomain("example.org").block();
        directory.addDomain("uni.example.org").block();
        directory.addDomain("alumni.example.org").block();
        directory.addAccount(new NewAccount("carol@example.org", "carol.c-k3mz", "Carol",
                HASHER.hash("local horse"))).block();
        ann = directory.addAccount(new NewAccount("ann@uni.example.org", "abcd.e.fg-x7q2", "Ann", null)).block();
        bob = directory.addAccount(new NewAccount("bob@alumni.example.org", "bob.b-9rt3", "Bob", null)).block();
        CredentialSources sources = new CredentialSources(new LocalCredentialSource(HASHER, hashing),
                Map.of("uni.example.org", campus, "alumni.example.org", portal));
        authenticator = new DirectoryAuthenticator(directory, sources, HASHER, hashing,
                AuthenticatorSettings.defaults().withVerifyTimeout(Duration.ofMillis(300)));
    }

    @AfterEach
    void stop() {
        hashing.dispose();
    }

    private AuthOutcome login(String login, String password) {
        return authenticator.authenticate(new Credentials(login, password, "imap", "192.0.2.7"))
                .block(Duration.ofSeconds(5));
    }

    @Test
    void anAddressTypedAsLoginShouldBeRejectedAsSuchWithoutAnyLookup() {
        assertThat(login("ann@uni.example.org", "campus horse")).isEqualTo(new AuthOutcome.Rejected(true));
        assertThat(login("nobody@nowhere.example", "x")).isEqualTo(new AuthOutcome.Rejected(true));
        assertThat(directory.lookups()).isZero();
        assertThat(campus.calls()).isZero();
    }

    @Test
    void anUnknownAuthIdShouldGetTheSameReplyAsAWrongPasswordAfterDecoyWorkOnTheHashingScheduler() {
        AtomicReference<String> thread = new AtomicReference<>();
        StepVerifier.create(authenticator.authenticate(new Credentials("nobody-zzzz", "x", "smtp", "192.0.2.7"))
                        .doOnNext(outcome -> thread.set(Thread.currentThread().getName())))
                .expectNext(new AuthOutcome.Rejected(false))
                .verifyComplete();
        assertThat(thread.get()).startsWith("test-hashing");
        assertThat(login("carol.c-k3mz", "wrong horse")).isEqualTo(new AuthOutcome.Rejected(false));
        assertThat(login("Not An Auth ID!", "x")).isEqualTo(new AuthOutcome.Rejected(false));
    }

    @Test
    void theRightPasswordShouldLogInAndAWrongOneBeRejected() {
        assertThat(login("carol.c-k3mz", "local horse")).isInstanceOf(AuthOutcome.Success.class);
        assertThat(login("  ABCD.E.FG-X7Q2 ", "campus horse")).isEqualTo(new AuthOutcome.Success(ann));
        assertThat(login("abcd.e.fg-x7q2", "portal horse")).isEqualTo(new AuthOutcome.Rejected(false));
        assertThat(login("abcd.e.fg-x7q2", "")).isEqualTo(new AuthOutcome.Rejected(false));
    }

    @Test
    void eachAccountShouldBeCheckedByTheSourceOfItsDomain() {
        assertThat(login("bob.b-9rt3", "portal horse")).isEqualTo(new AuthOutcome.Success(bob));
        assertThat(login("bob.b-9rt3", "campus horse")).isEqualTo(new AuthOutcome.Rejected(false));
        assertThat(portal.calls()).isEqualTo(2);
        assertThat(campus.calls()).isZero();
    }

    @Test
    void aSourceThatIsDownShouldMakeTheLoginUnavailableNeverWrong() {
        campus.mode(StubSource.Mode.DOWN);
        assertThat(login("abcd.e.fg-x7q2", "campus horse"))
                .isEqualTo(new AuthOutcome.Unavailable("ldap:campus unavailable"));
        assertThat(login("abcd.e.fg-x7q2", "wrong horse"))
                .isEqualTo(new AuthOutcome.Unavailable("ldap:campus unavailable"));
        assertThat(login("bob.b-9rt3", "portal horse")).isEqualTo(new AuthOutcome.Success(bob));
        assertThat(login("carol.c-k3mz", "local horse")).isInstanceOf(AuthOutcome.Success.class);
    }

    @Test
    void aSourceThatHangsShouldBeCutOffByTheVerifyTimeout() {
        portal.mode(StubSource.Mode.HANGING);
        StepVerifier.create(authenticator.authenticate(new Credentials("bob.b-9rt3", "portal horse", "pop3", "::1")))
                .expectNext(new AuthOutcome.Unavailable("http:portal unavailable"))
                .expectComplete()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void aDirectoryThatIsDownShouldMakeTheLoginUnavailable() {
        directory.down(true);
        assertThat(login("carol.c-k3mz", "local horse"))
                .isEqualTo(new AuthOutcome.Unavailable("directory unavailable"));
        assertThat(campus.calls()).isZero();
    }
}
