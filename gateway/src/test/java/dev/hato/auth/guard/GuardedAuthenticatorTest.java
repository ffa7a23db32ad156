package dev.hato.auth.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.auth.AuthOutcome;
import dev.hato.auth.Authenticator;
import dev.hato.auth.Credentials;
import dev.hato.store.audit.AuditLog;
import dev.hato.store.audit.AuthEvent.Result;
import dev.hato.store.audit.AuthEvent;
import dev.hato.store.directory.Account;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.assertj.core.groups.Tuple;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;
import reactor.util.function.Tuple2;
import reactor.util.function.Tuples;

/**
 * The guard around a fake credential source, on virtual time: what is answered, when, to whom, and what the audit
 * log gets. Delays are asserted in virtual milliseconds, never measured.
 */
class GuardedAuthenticatorTest {

    private static final String IP = "192.0.2.20";
    private static final Account ANN = new Account(7, 1, "ann@example.test", "ann.k-x7q2", "Ann", null);
    private static final AuthOutcome LOCKED = new AuthOutcome.Unavailable(GuardedAuthenticator.LOCKED_REASON);

    /** Virtual time that outlives each StepVerifier (which disposes its scheduler), so counts carry over. */
    private final VirtualTimeScheduler clock = new VirtualTimeScheduler(false) {
        @Override
        public void dispose() {
        }
    };
    private final LoginThrottle throttle = new LoginThrottle(LoginThrottle.Settings.defaults(), clock);
    private final FakeSource source = new FakeSource();
    private final RecordingAuditLog audit = new RecordingAuditLog();
    private final GuardedAuthenticator guard = guard(audit);

    private GuardedAuthenticator guard(AuditLog log) {
        return new GuardedAuthenticator(source, throttle, log);
    }

    private static Credentials login(String login, String password) {
        return new Credentials(login, password, "pop3", IP);
    }

    /** Each attempt in turn, with the virtual milliseconds its answer took. */
    private List<Tuple2<Long, AuthOutcome>> run(GuardedAuthenticator authenticator, List<Credentials> attempts) {
        return run(Flux.fromIterable(attempts)
                .concatMap(credentials -> authenticator.authenticate(credentials).elapsed(clock)));
    }

    /** Advances virtual time in small steps until every answer is in, so no window expires behind a test's back. */
    private <T> List<T> run(Flux<T> answers) {
        List<T> received = new ArrayList<>();
        AtomicBoolean done = new AtomicBoolean();
        StepVerifier.withVirtualTime(() -> answers.doFinally(signal -> done.set(true)), () -> clock, Long.MAX_VALUE)
                .expectSubscription()
                .then(() -> {
                    // At most a virtual hour; answers that take longer are a failure, not a hang.
                    for (int step = 0; step < 36_000 && !done.get(); step++) {
                        clock.advanceTimeBy(Duration.ofMillis(100));
                    }
                })
                .recordWith(() -> received)
                .thenConsumeWhile(answer -> true)
                .verifyComplete();
        return received;
    }

    private static List<Credentials> times(int n, Credentials credentials) {
        return java.util.Collections.nCopies(n, credentials);
    }

    private static List<Long> millis(List<Tuple2<Long, AuthOutcome>> answers) {
        return answers.stream().map(Tuple2::getT1).toList();
    }

    private static List<AuthOutcome> outcomes(List<Tuple2<Long, AuthOutcome>> answers) {
        return answers.stream().map(Tuple2::getT2).toList();
    }

    @Test
    void wrongPasswordsShouldBeAnsweredAfterAGrowingDelayAndThenWithATemporaryLockout() {
        List<Tuple2<Long, AuthOutcome>> answers = run(guard, times(12, login("ann.k-x7q2", "guess")));

        assertThat(millis(answers)).containsExactly(0L, 0L, 0L, 1000L, 2000L, 4000L, 8000L, 15000L, 15000L, 15000L,
                15000L, 15000L);
        assertThat(outcomes(answers).subList(0, 10)).containsOnly(new AuthOutcome.Rejected(false));
        assertThat(outcomes(answers).subList(10, 12)).containsOnly(LOCKED);
        assertThat(source.calls.get()).isEqualTo(10);
    }

    @Test
    void aLockedAuthIdShouldBeRefusedWithoutCheckingEvenTheRightPassword() {
        List<Credentials> attempts = new ArrayList<>(times(10, login("ann.k-x7q2", "guess")));
        attempts.add(login("ANN.K-X7Q2", "right"));

        List<Tuple2<Long, AuthOutcome>> answers = run(guard, attempts);

        assertThat(answers.get(10).getT2()).isEqualTo(LOCKED);
        assertThat(source.calls.get()).isEqualTo(10);
        assertThat(audit.events.stream().map(AuthEvent::result).toList()).endsWith(Result.REJECTED, Result.LOCKED);
    }

    @Test
    void theOwnerShouldLogInFromACleanAddressWhileAnotherAddressIsLockedOutOfTheirAuthId() {
        List<Credentials> attempts = new ArrayList<>(times(11, login("ann.k-x7q2", "guess")));
        attempts.add(new Credentials("ann.k-x7q2", "right", "imap", "198.51.100.7"));

        List<Tuple2<Long, AuthOutcome>> answers = run(guard, attempts);

        assertThat(answers.get(10).getT2()).isEqualTo(LOCKED);
        assertThat(answers.get(11).getT2()).isEqualTo(new AuthOutcome.Success(ANN));
        assertThat(audit.events.get(10).result()).isEqualTo(Result.LOCKED);
        assertThat(audit.events.get(11).result()).isEqualTo(Result.SUCCESS);
    }

    @Test
    void guessesFromManyAddressesShouldBeCheckedOneTurnAtATimeWithTheAnswerHeldUntilTheTurn() {
        // Twenty addresses guess Ann's password at once, each on its own connection.
        List<Tuple2<Long, AuthOutcome>> answers = run(Flux.range(0, 20)
                .flatMap(i -> guard.authenticate(new Credentials("ann.k-x7q2", "guess", "imap", "203.0.113." + i))
                        .elapsed(clock).map(answer -> Tuples.of(i, answer)), 20)
                .sort(java.util.Comparator.comparing(Tuple2::getT1))
                .map(Tuple2::getT2));

        assertThat(millis(answers)).containsExactly(0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 1000L, 3000L, 7000L,
                15000L, 31000L, 15000L, 15000L, 15000L, 15000L);
        assertThat(outcomes(answers).subList(0, 16)).containsOnly(new AuthOutcome.Rejected(false));
        assertThat(outcomes(answers).subList(16, 20)).containsOnly(LOCKED);
        assertThat(source.calls.get()).as("the password is checked at its turn, refusals never").isEqualTo(16);
        assertThat(audit.events).filteredOn(event -> event.result() == Result.THROTTLED).hasSize(4);
    }

    @Test
    void anAuthIdThatExistsAndOneThatDoesNotShouldGetTheSameAnswersAtTheSameTimes() {
        List<Credentials> attempts = new ArrayList<>(times(12, login("ann.k-x7q2", "guess")));
        attempts.addAll(times(12, login("nobody.x-x7q2", "guess")));

        List<Tuple2<Long, AuthOutcome>> answers = run(guard, attempts);

        assertThat(answers.subList(12, 24)).containsExactlyElementsOf(answers.subList(0, 12));
        assertThat(outcomes(answers)).contains(LOCKED);
    }

    @Test
    void theRightPasswordShouldBeAnsweredAtOnceButNotForgiveTheAddresssFailures() {
        List<Credentials> attempts = new ArrayList<>(times(6, login("ann.k-x7q2", "guess")));
        attempts.add(login("ann.k-x7q2", "right"));
        attempts.add(login("ann.k-x7q2", "guess"));

        List<Tuple2<Long, AuthOutcome>> answers = run(guard, attempts);

        // The failures from that address may be someone else's behind the same NAT: the next one waits 8 s.
        assertThat(millis(answers)).containsExactly(0L, 0L, 0L, 1000L, 2000L, 4000L, 0L, 8000L);
        assertThat(answers.get(6).getT2()).isEqualTo(new AuthOutcome.Success(ANN));
    }

    @Test
    void aClientGuessingAcrossManyAuthIdsShouldBeThrottledAtTheHigherPerClientLimit() {
        // A spray over many connections at once: 101 auth IDs, one guess each.
        List<Tuple2<Long, AuthOutcome>> answers = run(Flux.range(0, 101)
                .flatMap(i -> guard.authenticate(login("sprayed-" + i, "guess")).elapsed(clock)
                        .map(answer -> Tuples.of(i, answer)), 101)
                .sort(java.util.Comparator.comparing(Tuple2::getT1))
                .map(Tuple2::getT2));

        assertThat(millis(answers).subList(0, 20)).containsOnly(0L);
        assertThat(millis(answers).subList(20, 24)).containsExactly(1000L, 2000L, 4000L, 8000L);
        assertThat(millis(answers).subList(24, 101)).containsOnly(15000L);
        assertThat(outcomes(answers).subList(0, 100)).containsOnly(new AuthOutcome.Rejected(false));
        assertThat(outcomes(answers).get(100)).isEqualTo(LOCKED);
        assertThat(audit.events).filteredOn(event -> event.result() == Result.THROTTLED)
                .extracting(AuthEvent::authId).containsExactly("sprayed-100");
        assertThat(source.calls.get()).isEqualTo(100);
        // The auth ID the refused guess named was not counted; someone else, from elsewhere, is not affected.
        assertThat(throttle.failures("sprayed-100")).isZero();
        assertThat(outcomes(run(guard, List.of(new Credentials("ann.k-x7q2", "right", "smtp", "198.51.100.9")))))
                .containsExactly(new AuthOutcome.Success(ANN));
    }

    @Test
    void everyAttemptShouldBeRecordedWithItsTimeProtocolClientLoginAsTypedAndResult() {
        List<Credentials> attempts = new ArrayList<>(List.of(
                new Credentials("Ann.K-X7Q2", "right", "smtp", "2001:db8::7"),
                login("ann@example.test", "right")));
        attempts.addAll(times(10, login("ann.k-x7q2", "guess")));
        attempts.add(login("ann.k-x7q2", "guess"));

        run(guard, attempts);

        assertThat(audit.events).hasSize(13);
        assertThat(audit.events.get(0)).isEqualTo(new AuthEvent(Instant.EPOCH, "smtp", "2001:db8::7", "Ann.K-X7Q2",
                Result.SUCCESS, 7L));
        assertThat(audit.events.get(1)).isEqualTo(new AuthEvent(Instant.EPOCH, "pop3", IP, "ann@example.test",
                Result.REJECTED, null));
        // Times are those of the attempts: each starts when the previous answer (after its delay) came.
        assertThat(audit.events.get(6).at()).isEqualTo(Instant.EPOCH.plusSeconds(1));
        assertThat(audit.events.get(12).result()).isEqualTo(Result.LOCKED);
        assertThat(audit.events.get(12).at()).isEqualTo(Instant.EPOCH.plusSeconds(1 + 2 + 4 + 8 + 15 + 15 + 15));
    }

    @Test
    void anOutageShouldBeRecordedAndNeverCountTowardsALockout() {
        source.down = true;
        List<Tuple2<Long, AuthOutcome>> outage = run(guard, times(30, login("ann.k-x7q2", "right")));
        assertThat(millis(outage)).containsOnly(0L);
        assertThat(outcomes(outage)).containsOnly(new AuthOutcome.Unavailable("backend down"));
        assertThat(audit.events).extracting(AuthEvent::result).containsOnly(Result.UNAVAILABLE);
        assertThat(throttle.failures("ann.k-x7q2")).isZero();
        assertThat(throttle.clientFailures(IP)).isZero();

        source.down = false;
        assertThat(outcomes(run(guard, List.of(login("ann.k-x7q2", "right")))))
                .containsExactly(new AuthOutcome.Success(ANN));
    }

    @Test
    void aSourceThatErrorsOrAnswersNothingShouldGiveATemporaryFailure() {
        source.misbehave = true;
        List<Tuple2<Long, AuthOutcome>> answers = run(guard, List.of(login("error", "x"), login("empty", "x")));

        assertThat(outcomes(answers)).allMatch(AuthOutcome.Unavailable.class::isInstance);
        assertThat(audit.events).extracting(AuthEvent::result).containsOnly(Result.UNAVAILABLE);
    }

    @Test
    void anAuditLogThatFailsOrNeverAnswersShouldNotFailOrDelayALogin() {
        for (AuditLog broken : List.of(new BrokenAuditLog(() -> Mono.error(new IllegalStateException("db down"))),
                new BrokenAuditLog(() -> {
                    throw new IllegalStateException("db down");
                }),
                new BrokenAuditLog(Mono::never))) {
            List<Tuple2<Long, AuthOutcome>> answers = run(guard(broken), List.of(login("ann.k-x7q2", "right"),
                    login("ann.k-x7q2", "guess")));
            assertThat(millis(answers)).containsExactly(0L, 0L);
            assertThat(outcomes(answers)).containsExactly(new AuthOutcome.Success(ANN),
                    new AuthOutcome.Rejected(false));
        }
    }

    @Test
    void aClientThatHangsUpDuringTheDelayShouldStillBeRecordedAndCounted() {
        run(guard, times(4, login("ann.k-x7q2", "guess")));
        int recorded = audit.events.size();

        StepVerifier.withVirtualTime(() -> guard.authenticate(login("ann.k-x7q2", "guess")), () -> clock, 1)
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(1))
                .thenCancel()
                .verify();

        assertThat(audit.events).hasSize(recorded + 1);
        assertThat(audit.events.get(recorded).result()).isEqualTo(Result.REJECTED);
        assertThat(source.calls.get()).isEqualTo(5);
        assertThat(throttle.failures("ann.k-x7q2")).isEqualTo(5);
    }

    @Test
    void aClientThatHangsUpWhileWaitingForItsTurnShouldNotCountSinceNoPasswordWasChecked() {
        // A botnet has guessed Ann's password twelve times, so checks take turns; the owner, on a new address, gives
        // up waiting for a turn ten times (a client's login timeout, or the person closing the app), retrying at once.
        Credentials travelling = new Credentials("ann.k-x7q2", "right", "imap", "198.51.100.7");
        for (int bot = 0; bot < 12; bot++) {
            ((LoginThrottle.Admitted) throttle.begin("ann.k-x7q2", "203.0.113." + bot)).failed();
        }
        for (int round = 0; round < 10; round++) {
            StepVerifier.withVirtualTime(() -> guard.authenticate(travelling), () -> clock, 1)
                    .expectSubscription()
                    .expectNoEvent(Duration.ofMillis(500))
                    .thenCancel()
                    .verify();
            assertThat(source.calls.get()).as("no password was checked").isZero();
            assertThat(throttle.failures("ann.k-x7q2", "198.51.100.7")).isZero();
            assertThat(throttle.clientFailures("198.51.100.7")).isZero();
            assertThat(throttle.failures("ann.k-x7q2")).as("the bots' guesses, not the owner's").isEqualTo(12);
            clock.advanceTimeBy(Duration.ofSeconds(1));
        }

        // The abandoned turns stay taken (4 s apart): the owner's eleventh try waits 28 s for its turn, and gets in.
        assertThat(run(guard, List.of(travelling))).containsExactly(Tuples.of(28000L, new AuthOutcome.Success(ANN)));
        assertThat(audit.events).extracting(AuthEvent::result).containsExactly(Result.SUCCESS);
    }

    @Test
    void theOwnerShouldStillLogInFromAFamiliarAddressWhereSomeoneElseFailedTenTimesWithTheirAuthId() {
        // Ann logs in from her home NAT; someone else behind it guesses her password twelve times.
        assertThat(outcomes(run(guard, List.of(login("ann.k-x7q2", "right")))))
                .containsExactly(new AuthOutcome.Success(ANN));
        List<Tuple2<Long, AuthOutcome>> guesses = run(guard, times(12, login("ann.k-x7q2", "guess")));
        assertThat(outcomes(guesses)).as("never refused: each password is checked and answered after the delay")
                .containsOnly(new AuthOutcome.Rejected(false));
        assertThat(millis(guesses).subList(9, 12)).containsOnly(15000L);

        assertThat(outcomes(run(guard, List.of(login("ann.k-x7q2", "right")))))
                .containsExactly(new AuthOutcome.Success(ANN));
        assertThat(source.calls.get()).isEqualTo(14);
    }

    @Test
    void theOwnerShouldStillLogInFromAFamiliarAddressWhereSomeoneElseSprayedAHundredAuthIds() {
        run(guard, List.of(login("ann.k-x7q2", "right")));
        run(Flux.range(0, 100).flatMap(i -> guard.authenticate(login("sprayed-" + i, "guess")), 100));
        assertThat(outcomes(run(guard, List.of(login("sprayed-100", "guess"))))).containsExactly(LOCKED);

        assertThat(outcomes(run(guard, List.of(login("ann.k-x7q2", "right")))))
                .containsExactly(new AuthOutcome.Success(ANN));
    }

    @Test
    void aMultiStepLoginShouldMeetTheSameThrottleAndAuditAsPasswordLogins() {
        run(guard, times(8, login("ann.k-x7q2", "guess")));

        GuardedAuthenticator.Login ninth = guard.begin("ann.k-x7q2", "smtp", IP);
        assertThat(ninth).isInstanceOf(GuardedAuthenticator.Admitted.class);
        List<Tuple2<Long, AuthOutcome>> settled = run(((GuardedAuthenticator.Admitted) ninth)
                .settle(new AuthOutcome.Rejected(false)).elapsed(clock).flux());
        assertThat(settled.get(0).getT1()).isEqualTo(15000L);
        GuardedAuthenticator.Login tenth = guard.begin("ANN.K-X7Q2", "smtp", IP);
        run(((GuardedAuthenticator.Admitted) tenth).settle(new AuthOutcome.Rejected(false)).flux());

        GuardedAuthenticator.Login locked = guard.begin("ann.k-x7q2", "smtp", IP);
        assertThat(locked).isInstanceOf(GuardedAuthenticator.Locked.class);
        List<Tuple2<Long, AuthOutcome>> answer = run(((GuardedAuthenticator.Locked) locked).answer().elapsed(clock)
                .flux());
        assertThat(answer.get(0)).isEqualTo(Tuples.of(15000L, LOCKED));
        assertThat(run(guard, List.of(login("ann.k-x7q2", "right"))).get(0).getT2()).isEqualTo(LOCKED);
        assertThat(source.calls.get()).isEqualTo(8);
        assertThat(audit.events.subList(8, 12)).extracting(AuthEvent::protocol, AuthEvent::authId, AuthEvent::result)
                .containsExactly(Tuple.tuple("smtp", "ann.k-x7q2", Result.REJECTED),
                        Tuple.tuple("smtp", "ANN.K-X7Q2", Result.REJECTED),
                        Tuple.tuple("smtp", "ann.k-x7q2", Result.LOCKED),
                        Tuple.tuple("pop3", "ann.k-x7q2", Result.LOCKED));
    }

    @Test
    void aMultiStepSuccessShouldBeRecordedWithItsAccountAndTakeBackItsOwnCount() {
        run(guard, times(5, login("ann.k-x7q2", "guess")));

        GuardedAuthenticator.Admitted admitted = (GuardedAuthenticator.Admitted) guard.begin("ann.k-x7q2", "imap", IP);
        List<Tuple2<Long, AuthOutcome>> answer = run(admitted.settle(new AuthOutcome.Success(ANN)).elapsed(clock)
                .flux());

        assertThat(answer.get(0)).isEqualTo(Tuples.of(0L, new AuthOutcome.Success(ANN)));
        assertThat(throttle.failures("ann.k-x7q2", IP)).isEqualTo(5);
        assertThat(throttle.clientFailures(IP)).isEqualTo(5);
        AuthEvent last = audit.events.get(audit.events.size() - 1);
        assertThat(last.result()).isEqualTo(Result.SUCCESS);
        assertThat(last.accountId()).isEqualTo(ANN.id());
        StepVerifier.create(admitted.settle(new AuthOutcome.Rejected(false)))
                .expectErrorMessage("this login is already settled")
                .verify();
        assertThat(audit.events).hasSize(6);
    }

    @Test
    void aMultiStepLoginLeftUnsettledShouldStayCountedAsAFailureAndAnOutageShouldNot() {
        guard.begin("ann.k-x7q2", "smtp", IP);
        assertThat(throttle.failures("ann.k-x7q2")).isEqualTo(1);

        GuardedAuthenticator.Admitted outage = (GuardedAuthenticator.Admitted) guard.begin("ann.k-x7q2", "smtp", IP);
        run(outage.settle(new AuthOutcome.Unavailable("directory unavailable")).flux());

        assertThat(throttle.failures("ann.k-x7q2")).isEqualTo(1);
        assertThat(audit.events).extracting(AuthEvent::result).containsExactly(Result.UNAVAILABLE);
    }

    /** Knows Ann with the password "right"; rejects everything else as LocalAuthenticator would. */
    private static final class FakeSource implements Authenticator {
        final AtomicInteger calls = new AtomicInteger();
        volatile boolean down;
        volatile boolean misbehave;

        @Override
        public Mono<AuthOutcome> authenticate(Credentials credentials) {
            calls.incrementAndGet();
            if (misbehave) {
                return credentials.login().equals("error") ? Mono.error(new IllegalStateException("bug"))
                        : Mono.empty();
            }
            if (down) {
                return Mono.just(new AuthOutcome.Unavailable("backend down"));
            }
            boolean ann = !credentials.looksLikeAddress() && credentials.login().trim().equalsIgnoreCase(ANN.authId());
            return Mono.just(ann && credentials.password().equals("right") ? new AuthOutcome.Success(ANN)
                    : new AuthOutcome.Rejected(credentials.looksLikeAddress()));
        }
    }

    private static final class RecordingAuditLog implements AuditLog {
        final List<AuthEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public Mono<Void> record(AuthEvent event) {
            return Mono.fromRunnable(() -> events.add(event));
        }

        @Override
        public Flux<AuthEvent> query(@Nullable String authId, @Nullable Instant since, int limit) {
            return Flux.fromIterable(events);
        }

        @Override
        public long droppedEvents() {
            return 0;
        }
    }

    private record BrokenAuditLog(Supplier<Mono<Void>> answer) implements AuditLog {
        @Override
        public Mono<Void> record(AuthEvent event) {
            return answer.get();
        }

        @Override
        public Flux<AuthEvent> query(@Nullable String authId, @Nullable Instant since, int limit) {
            return Flux.error(new IllegalStateException("db down"));
        }

        @Override
        public long droppedEvents() {
            return 0;
        }
    }
}
