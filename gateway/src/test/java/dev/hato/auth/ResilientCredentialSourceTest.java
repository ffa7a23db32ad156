package dev.hato.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.directory.Account;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class ResilientCredentialSourceTest {

    private static final Account ANN = new Account(1, 1, "ann@example.org", "ann-x7q2", "Ann", null);

    /** Opens after 3 failures out of the last 4 calls; 1 minute open; 2 probes. */
    private static final BreakerSettings SETTINGS = BreakerSettings.defaults()
            .withTimeout(Duration.ofSeconds(2))
            .withFailureRateThreshold(50)
            .withSlidingWindowSize(4)
            .withMinimumNumberOfCalls(4)
            .withWaitDurationInOpenState(Duration.ofMinutes(1))
            .withPermittedCallsInHalfOpen(2);

    private final StubSource backend = new StubSource("ldap:campus", "right horse");
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final SettableClock clock = new SettableClock();
    private final ResilientCredentialSource source = new ResilientCredentialSource(backend, SETTINGS, meters, clock);

    private void failTimes(int n) {
        for (int i = 0; i < n; i++) {
            StepVerifier.create(source.verify(ANN, "right horse")).expectError().verify(Duration.ofSeconds(5));
        }
    }

    @Test
    void wrongPasswordsShouldCountAsSuccessfulCallsAndNeverOpenTheCircuit() {
        for (int i = 0; i < 20; i++) {
            StepVerifier.create(source.verify(ANN, "wrong horse")).expectNext(false).verifyComplete();
        }
        assertThat(source.state()).isEqualTo(ResilientCredentialSource.State.CLOSED);
        assertThat(meters.counter("hato.auth.source.calls", "source", "ldap:campus", "outcome", "rejected").count())
                .isEqualTo(20);
    }

    @Test
    void errorsShouldOpenTheCircuitAtTheThresholdAndThenFailFastWithoutCallingTheBackend() {
        StepVerifier.create(source.verify(ANN, "right horse")).expectNext(true).verifyComplete();
        backend.mode(StubSource.Mode.DOWN);
        failTimes(2);
        assertThat(source.state()).isEqualTo(ResilientCredentialSource.State.CLOSED);
        failTimes(1); // 3 of 4 failed: 75 % ≥ 50 %
        assertThat(source.state()).isEqualTo(ResilientCredentialSource.State.OPEN);

        int callsBefore = backend.calls();
        StepVerifier.create(source.verify(ANN, "right horse"))
                .expectError(CallNotPermittedException.class)
                .verify(Duration.ofSeconds(1));
        assertThat(backend.calls()).isEqualTo(callsBefore);
        assertThat(meters.counter("hato.auth.source.calls", "source", "ldap:campus", "outcome", "short_circuited")
                .count()).isEqualTo(1);
        assertThat(meters.get("hato.auth.source.state").tag("source", "ldap:campus").gauge().value()).isEqualTo(2);
    }

    @Test
    void afterTheWaitTheCircuitShouldHalfOpenAndCloseWhenTheBackendIsBack() {
        backend.mode(StubSource.Mode.DOWN);
        failTimes(4);
        assertThat(source.state()).isEqualTo(ResilientCredentialSource.State.OPEN);

        clock.advance(Duration.ofSeconds(59));
        StepVerifier.create(source.verify(ANN, "right horse")).expectError(CallNotPermittedException.class).verify();

        clock.advance(Duration.ofSeconds(2));
        backend.mode(StubSource.Mode.UP);
        StepVerifier.create(source.verify(ANN, "right horse")).expectNext(true).verifyComplete();
        assertThat(source.state()).isEqualTo(ResilientCredentialSource.State.HALF_OPEN);
        assertThat(meters.get("hato.auth.source.state").tag("source", "ldap:campus").gauge().value()).isEqualTo(1);
        StepVerifier.create(source.verify(ANN, "wrong horse")).expectNext(false).verifyComplete();
        assertThat(source.state()).isEqualTo(ResilientCredentialSource.State.CLOSED);
        assertThat(meters.get("hato.auth.source.state").tag("source", "ldap:campus").gauge().value()).isEqualTo(0);
    }

    @Test
    void aProbeThatFailsShouldOpenTheCircuitAgain() {
        backend.mode(StubSource.Mode.DOWN);
        failTimes(4);
        clock.advance(Duration.ofMinutes(2));
        failTimes(2);
        assertThat(source.state()).isEqualTo(ResilientCredentialSource.State.OPEN);
    }

    @Test
    void aHangingBackendShouldCostTheConfiguredTimeoutAndCountAsAFailure() {
        backend.mode(StubSource.Mode.HANGING);
        StepVerifier.withVirtualTime(() -> source.verify(ANN, "right horse"))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(1999))
                .thenAwait(Duration.ofMillis(1))
                .expectError(TimeoutException.class)
                .verify(Duration.ofSeconds(5));
        assertThat(meters.counter("hato.auth.source.calls", "source", "ldap:campus", "outcome", "timeout").count())
                .isEqualTo(1);
    }

    @Test
    void theHealthViewShouldListEachGuardedSourceWithItsState() {
        StubSource portal = new StubSource("http:portal", "x");
        ResilientCredentialSource guardedPortal = new ResilientCredentialSource(portal, SETTINGS, meters, clock);
        CredentialSourceHealth health = new CredentialSourceHealth(List.of(source, guardedPortal));
        assertThat(health.states()).containsExactly(Map.entry("ldap:campus", "CLOSED"),
                Map.entry("http:portal", "CLOSED"));
        assertThat(health.allClosed()).isTrue();

        backend.mode(StubSource.Mode.DOWN);
        failTimes(4);
        assertThat(health.states()).containsEntry("ldap:campus", "OPEN").containsEntry("http:portal", "CLOSED");
        assertThat(health.allClosed()).isFalse();
    }

    @Test
    void settingsShouldRejectNonsense() {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> SETTINGS.withFailureRateThreshold(0));
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> SETTINGS.withTimeout(Duration.ZERO));
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> SETTINGS.withSlidingWindowSize(0));
    }

    /** A clock the test moves forward; the breaker reads its open-state deadline from it. */
    static final class SettableClock extends Clock {
        private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
