package dev.hato.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.directory.Account;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
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
    void aPasswordVerifiedAgainstTheSameHashShouldNotBeHashedAgainButAWrongOneAlways() {
        AtomicInteger hashes = new AtomicInteger();
        Scheduler counting = counting(hashes);
        LocalCredentialSource cached = new LocalCredentialSource(HASHER, counting, new VerifierCache(
                new VerifierCacheSettings(true, Duration.ofMinutes(10), 100)));
        Account ann = account(HASHER.hash("right horse"));

        StepVerifier.create(cached.verify(ann, "right horse")).expectNext(true).verifyComplete();
        StepVerifier.create(cached.verify(ann, "right horse")).expectNext(true).verifyComplete();
        assertThat(hashes).as("hash runs after two right logins").hasValue(1);

        StepVerifier.create(cached.verify(ann, "wrong horse")).expectNext(false).verifyComplete();
        StepVerifier.create(cached.verify(ann, "wrong horse")).expectNext(false).verifyComplete();
        assertThat(hashes).as("every wrong password is hashed").hasValue(3);

        Account changed = account(HASHER.hash("new horse"));
        StepVerifier.create(cached.verify(changed, "right horse")).expectNext(false).verifyComplete();
        StepVerifier.create(cached.verify(changed, "new horse")).expectNext(true).verifyComplete();
        assertThat(hashes).as("a changed hash is checked again").hasValue(5);
    }

    @Test
    void withoutTheCacheEveryLoginShouldRunTheHash() {
        AtomicInteger hashes = new AtomicInteger();
        Scheduler counting = counting(hashes);
        LocalCredentialSource uncached = new LocalCredentialSource(HASHER, counting);
        Account ann = account(HASHER.hash("right horse"));

        StepVerifier.create(uncached.verify(ann, "right horse")).expectNext(true).verifyComplete();
        StepVerifier.create(uncached.verify(ann, "right horse")).expectNext(true).verifyComplete();
        assertThat(hashes).hasValue(2);
    }

    /** The hashing scheduler, counting the tasks (hash runs) given to it. */
    private Scheduler counting(AtomicInteger hashes) {
        return Schedulers.fromExecutor(task -> {
            hashes.incrementAndGet();
            hashing.schedule(task);
        });
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
