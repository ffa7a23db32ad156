package dev.hato.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.Account;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class LocalCredentialSourceTest {

    private static final PasswordHasher HASHER = new PasswordHasher(64, 1, 1);

    private final Scheduler hashing = Schedulers.newBoundedElastic(2, 100, "test-hashing");
    private final LocalCredentialSource source = new LocalCredentialSource(HASHER, hashing);

    @AfterEach
    void stop() {
        hashing.dispose();
    }

    private static Account account(String hash) {
        return new Account(1, 1, "ann@example.org", "ann-x7q2", "Ann", hash);
    }

    @Test
    void theRightPasswordShouldBeAcceptedAndAWrongOneRefused() {
        Account ann = account(HASHER.hash("right horse"));
        StepVerifier.create(source.verify(ann, "right horse")).expectNext(true).verifyComplete();
        StepVerifier.create(source.verify(ann, "wrong horse")).expectNext(false).verifyComplete();
        assertThat(source.name()).isEqualTo("local");
    }

    @Test
    void anAccountWithoutALocalHashShouldNeverLogInLocally() {
        StepVerifier.create(source.verify(account(null), "")).expectNext(false).verifyComplete();
        StepVerifier.create(source.verify(account(null), "anything")).expectNext(false).verifyComplete();
    }

    @Test
    void theHashShouldRunOnTheHashingSchedulerNotOnTheCallersThread() {
        Account ann = account(HASHER.hash("right horse"));
        AtomicReference<String> thread = new AtomicReference<>();
        StepVerifier.create(source.verify(ann, "right horse")
                        .doOnNext(ok -> thread.set(Thread.currentThread().getName())))
                .expectNext(true)
                .verifyComplete();
        assertThat(thread.get()).startsWith("test-hashing");
    }
}
