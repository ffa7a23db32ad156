package dev.hato.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.directory.Account;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class CachingCredentialSourceTest {

    private static final Account ANN = new Account(1, 1, "ann@example.org", "ann-x7q2", "Ann", null);
    private static final Account BOB = new Account(2, 1, "bob@example.org", "bob-9rt3", "Bob", null);
    private static final VerifierCacheSettings ON = VerifierCacheSettings.defaults()
            .withEnabled(true)
            .withTtl(Duration.ofMinutes(10));

    private final StubSource backend = new StubSource("ldap:campus", "right horse");
    private final AtomicLong nanos = new AtomicLong();
    private final VerifierCache cache = new VerifierCache(ON, nanos::get);
    private final CachingCredentialSource source = new CachingCredentialSource(backend, cache);

    private void accepted(Account account, String password) {
        StepVerifier.create(source.verify(account, password)).expectNext(true).verifyComplete();
    }

    private void unavailable(Account account, String password) {
        StepVerifier.create(source.verify(account, password)).expectError(CredentialSourceException.class).verify();
    }

    @Test
    void theCacheShouldBeOffByDefaultAndThenRememberNothing() {
        assertThat(VerifierCacheSettings.defaults().enabled()).isFalse();
        VerifierCache off = new VerifierCache(VerifierCacheSettings.defaults());
        CachingCredentialSource uncached = new CachingCredentialSource(backend, off);
        StepVerifier.create(uncached.verify(ANN, "right horse")).expectNext(true).verifyComplete();
        backend.mode(StubSource.Mode.DOWN);
        StepVerifier.create(uncached.verify(ANN, "right horse")).expectError(CredentialSourceException.class).verify();
        assertThat(off.size()).isZero();
    }

    @Test
    void afterASuccessTheSamePasswordShouldStillWorkDuringAnOutageWithinTheTtl() {
        accepted(ANN, "right horse");
        backend.mode(StubSource.Mode.DOWN);
        nanos.addAndGet(Duration.ofMinutes(9).toNanos());
        accepted(ANN, "right horse");
    }

    @Test
    void theBackendShouldStillBeAskedFirstWhenItIsUp() {
        accepted(ANN, "right horse");
        accepted(ANN, "right horse");
        assertThat(backend.calls()).isEqualTo(2);
    }

    @Test
    void aDifferentPasswordDuringAnOutageShouldGetTheOutageErrorNotWrongPassword() {
        accepted(ANN, "right horse");
        backend.mode(StubSource.Mode.DOWN);
        unavailable(ANN, "wrong horse");
    }

    @Test
    void anotherAccountShouldNotBenefitFromSomeoneElsesEntry() {
        accepted(ANN, "right horse");
        backend.mode(StubSource.Mode.DOWN);
        unavailable(BOB, "right horse");
    }

    @Test
    void entriesShouldExpireAfterTheTtl() {
        accepted(ANN, "right horse");
        backend.mode(StubSource.Mode.DOWN);
        nanos.addAndGet(Duration.ofMinutes(10).toNanos() + 1);
        unavailable(ANN, "right horse");
    }

    @Test
    void aWrongPasswordShouldNeverBeCached() {
        StepVerifier.create(source.verify(ANN, "wrong horse")).expectNext(false).verifyComplete();
        assertThat(cache.size()).isZero();
        backend.mode(StubSource.Mode.DOWN);
        unavailable(ANN, "wrong horse");
    }

    @Test
    void aNoForTheCachedPasswordShouldDropTheEntry() {
        StubSource changed = new StubSource("ldap:campus", "new horse");
        CachingCredentialSource cached = new CachingCredentialSource(changed, cache);
        cache.remember(ANN.id(), "right horse");
        StepVerifier.create(cached.verify(ANN, "right horse")).expectNext(false).verifyComplete();
        changed.mode(StubSource.Mode.DOWN);
        StepVerifier.create(cached.verify(ANN, "right horse")).expectError(CredentialSourceException.class).verify();
    }

    @Test
    void entriesShouldHoldNoPasswordButASaltedKeyedDigest() {
        String password = "right horse";
        accepted(ANN, password);
        byte[] plain = password.getBytes(StandardCharsets.UTF_8);
        assertThat(cache.snapshot()).singleElement().satisfies(entry -> {
            assertThat(entry.salt()).hasSize(16);
            assertThat(entry.digest()).hasSize(32);
            assertThat(indexOf(entry.digest(), plain)).isNegative();
            assertThat(indexOf(entry.salt(), plain)).isNegative();
        });
        VerifierCache other = new VerifierCache(ON, nanos::get);
        other.remember(ANN.id(), password);
        assertThat(other.snapshot().get(0).digest()).isNotEqualTo(cache.snapshot().get(0).digest());
    }

    @Test
    void theCacheShouldStayWithinItsBound() {
        VerifierCache small = new VerifierCache(ON.withMaxEntries(2), nanos::get);
        for (long id = 1; id <= 10; id++) {
            small.remember(id, "pw" + id);
        }
        assertThat(small.size()).isLessThanOrEqualTo(2);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
