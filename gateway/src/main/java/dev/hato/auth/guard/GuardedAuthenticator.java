package dev.hato.auth.guard;

import dev.hato.auth.AuthOutcome;
import dev.hato.auth.Authenticator;
import dev.hato.auth.Credentials;
import dev.hato.store.audit.AuditLog;
import dev.hato.store.audit.AuthEvent.Result;
import dev.hato.store.audit.AuthEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Puts the {@link LoginThrottle} and the {@link AuditLog} around any {@link Authenticator}: an attempt the throttle
 * refuses (this client address locked out of this auth ID or of everything, or the auth ID's line of checks full) is
 * answered without checking the password; otherwise it waits for its turn, the delegate checks it, a failure waits
 * for the throttle's delay before it is answered, and every attempt is recorded.
 *
 * <p>The event is recorded as soon as the outcome is known, before any delay, so a client that hangs up while it
 * waits still leaves its row. A client that hangs up (or whose login times out) while its attempt waits for its
 * turn, before any check, has the attempt taken back ({@link LoginThrottle.Admitted#unchecked}); it leaves no row,
 * since the audit log has no result for an attempt that ended before its check. Recording is fire-and-forget: an
 * audit log that is slow, full or failing never delays or fails a login.
 *
 * <p>A refusal is answered with {@link AuthOutcome.Unavailable} (each protocol's temporary code), whether the auth
 * ID exists or not and whatever the password, after the throttle's {@linkplain LoginThrottle#refusalDelay()
 * refusal delay}: nothing in the reply or its timing tells a guesser more than that it must wait.
 *
 * <p>A mechanism that checks the credential itself over several steps (SCRAM) uses {@link #begin} and
 * {@link Admitted#settle} instead of {@link #authenticate}, and gets the same throttle and audit: its answer is held
 * until the attempt's turn.
 */
public final class GuardedAuthenticator implements Authenticator {

    /** The reason given while a lockout lasts. */
    public static final String LOCKED_REASON = "too many failed logins; try again later";

    private static final Logger LOG = LoggerFactory.getLogger(GuardedAuthenticator.class);
    private static final AuthOutcome LOCKED = new AuthOutcome.Unavailable(LOCKED_REASON);

    private final Authenticator delegate;
    private final LoginThrottle throttle;
    private final AuditLog audit;

    public GuardedAuthenticator(Authenticator delegate, LoginThrottle throttle, AuditLog audit) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.throttle = Objects.requireNonNull(throttle, "throttle");
        this.audit = Objects.requireNonNull(audit, "audit");
    }

    @Override
    public Mono<AuthOutcome> authenticate(Credentials credentials) {
        return authenticate(credentials, delegate);
    }

    /**
     * The same throttle and audit around another check of a one-step credential, such as a bearer token
     * ({@link dev.hato.auth.token.TokenAuthenticator}): one guard, so failures of every kind count together.
     */
    public Mono<AuthOutcome> authenticate(Credentials credentials, Authenticator checker) {
        return Mono.defer(() -> {
            Login login = begin(credentials.login(), credentials.protocol(), credentials.remoteIp());
            if (login instanceof Locked locked) {
                return locked.answer();
            }
            Admitted admitted = (Admitted) login;
            // The turn comes before the check: a line of guesses costs the credential source nothing while it waits.
            // A client that goes away (or whose login times out) before its turn had no password checked: the
            // attempt is taken back. Once the check has started, going away changes nothing: it stays a failure
            // until settled, so a guesser cannot hang up on a slow answer to have the guess forgotten.
            return throttle.pause(admitted.attempt.waitFor())
                    .then(Mono.defer(() -> admitted.startCheck() ? checker.authenticate(credentials)
                            : Mono.<AuthOutcome>never()))
                    .onErrorResume(error -> {
                        // The contract says a delegate never errors; if one does, it is an outage, not a failure.
                        LOG.warn("authenticator failed for a {} login from {}: {}", credentials.protocol(),
                                credentials.remoteIp(), error.toString());
                        return Mono.just(new AuthOutcome.Unavailable("authentication failed unexpectedly"));
                    })
                    .switchIfEmpty(Mono.fromSupplier(() -> new AuthOutcome.Unavailable("no authentication answer")))
                    .flatMap(admitted::settle)
                    .doOnCancel(admitted::withdrawUnlessChecked);
        });
    }

    /**
     * Starts a login whose credential a multi-step mechanism (SASL SCRAM, where the proof arrives a round trip
     * after the auth ID) checks itself, so that it meets the same throttle and audit log as a password login. Call
     * it as soon as the auth ID is known, before any work for it: a {@link Locked} login must be answered with
     * {@link Locked#answer()} and the exchange ended; an {@link Admitted} one must be {@linkplain Admitted#settle
     * settled} once with its outcome, including when the client gives up half-way (settle it as rejected: until
     * then it counts as a failure, which is also what happens when the connection is lost).
     */
    public Login begin(String login, String protocol, String remoteIp) {
        Instant at = throttle.now();
        LoginThrottle.Attempt attempt = throttle.begin(login, remoteIp);
        if (attempt instanceof LoginThrottle.Refused refused) {
            record(login, protocol, remoteIp, at, refused.scope() == LoginThrottle.Scope.SOURCE ? Result.LOCKED
                    : Result.THROTTLED, null);
            return new Locked(throttle.pause(throttle.refusalDelay()).thenReturn(LOCKED));
        }
        return new Admitted(login, protocol, remoteIp, at, (LoginThrottle.Admitted) attempt);
    }

    /** What {@link #begin} decided. */
    public sealed interface Login permits Admitted, Locked { }

    /**
     * Too many failures: the attempt is already recorded; {@code answer} gives {@link AuthOutcome.Unavailable} after
     * the throttle's refusal delay, without any check of the credential.
     */
    public record Locked(Mono<AuthOutcome> answer) implements Login { }

    /** The credential may be checked; {@link #settle} reports how that went, exactly once. */
    public final class Admitted implements Login {
        private final String login;
        private final String protocol;
        private final String remoteIp;
        private final Instant at;
        private final LoginThrottle.Admitted attempt;
        /** {@link #WAITING}, {@link #CHECKING} or {@link #SETTLED}; moves forward only. */
        private final AtomicInteger state = new AtomicInteger(WAITING);

        private Admitted(String login, String protocol, String remoteIp, Instant at, LoginThrottle.Admitted attempt) {
            this.login = login;
            this.protocol = protocol;
            this.remoteIp = remoteIp;
            this.at = at;
            this.attempt = attempt;
        }

        /**
         * Records the outcome and tells the throttle; the outcome is given back after the throttle's delay for a
         * rejection, otherwise at once (but never before the attempt's turn). Errors with
         * {@link IllegalStateException} when already settled.
         */
        public Mono<AuthOutcome> settle(AuthOutcome outcome) {
            int before = state.getAndSet(SETTLED);
            if (before == SETTLED) {
                return Mono.error(new IllegalStateException("this login is already settled"));
            }
            if (outcome instanceof AuthOutcome.Success success) {
                attempt.succeeded();
                record(login, protocol, remoteIp, at, Result.SUCCESS, success.account().id());
                return throttle.pause(attempt.waitFor()).thenReturn(outcome);
            }
            if (outcome instanceof AuthOutcome.Rejected) {
                Duration delay = attempt.failed();
                record(login, protocol, remoteIp, at, Result.REJECTED, null);
                return throttle.pause(delay).thenReturn(outcome);
            }
            attempt.unanswered();
            record(login, protocol, remoteIp, at, Result.UNAVAILABLE, null);
            return throttle.pause(attempt.waitFor()).thenReturn(outcome);
        }

        /** The turn has come: false when the client went away first (then nothing may be checked). */
        private boolean startCheck() {
            return state.compareAndSet(WAITING, CHECKING);
        }

        /**
         * The client went away: before the check started, the attempt is taken back (its turn stays taken).
         * Nothing is recorded, as the audit log has no kind for an attempt that ended before its check.
         */
        private void withdrawUnlessChecked() {
            if (state.compareAndSet(WAITING, SETTLED)) {
                attempt.unchecked();
            }
        }
    }

    private static final int WAITING = 0;
    private static final int CHECKING = 1;
    private static final int SETTLED = 2;

    private void record(String login, String protocol, String remoteIp, Instant at, Result result,
                        @Nullable Long accountId) {
        try {
            AuthEvent event = new AuthEvent(at, protocol, remoteIp, login, result, accountId);
            audit.record(event).subscribe(null, error -> LOG.warn("recording a login attempt failed: {}",
                    error.toString()));
        } catch (RuntimeException e) {
            LOG.warn("recording a login attempt failed: {}", e.toString());
        }
    }
}
