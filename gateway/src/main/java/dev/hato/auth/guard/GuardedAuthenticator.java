package dev.hato.auth.guard;

import dev.hato.auth.AuthOutcome;
import dev.hato.auth.Authenticator;
import dev.hato.auth.Credentials;
import dev.hato.store.AuditLog;
import dev.hato.store.AuthEvent;
import dev.hato.store.AuthEvent.Result;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Puts the {@link LoginThrottle} and the {@link AuditLog} around any {@link Authenticator}: a locked-out auth ID or
 * client address is answered without checking the password; otherwise the delegate checks it, a failure waits for
 * the throttle's delay before it is answered, and every attempt is recorded.
 *
 * <p>The event is recorded as soon as the outcome is known, before any delay, so a client that hangs up while it
 * waits still leaves its row. Recording is fire-and-forget: an audit log that is slow, full or failing never delays
 * or fails a login.
 *
 * <p>A lockout is answered with {@link AuthOutcome.Unavailable} (each protocol's temporary code), whether the auth
 * ID exists or not and whatever the password, after the throttle's {@linkplain LoginThrottle#refusalDelay()
 * refusal delay}: nothing in the reply or its timing tells a guesser more than that it must wait.
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
        return Mono.defer(() -> {
            Instant at = throttle.now();
            LoginThrottle.Attempt attempt = throttle.begin(credentials.login(), credentials.remoteIp());
            if (attempt instanceof LoginThrottle.Refused refused) {
                record(credentials, at, refused.scope() == LoginThrottle.Scope.AUTH_ID ? Result.LOCKED
                        : Result.THROTTLED, null);
                return throttle.pause(throttle.refusalDelay()).thenReturn(LOCKED);
            }
            LoginThrottle.Admitted admitted = (LoginThrottle.Admitted) attempt;
            return Mono.defer(() -> delegate.authenticate(credentials))
                    .onErrorResume(error -> {
                        // The contract says a delegate never errors; if one does, it is an outage, not a failure.
                        LOG.warn("authenticator failed for a {} login from {}: {}", credentials.protocol(),
                                credentials.remoteIp(), error.toString());
                        return Mono.just(new AuthOutcome.Unavailable("authentication failed unexpectedly"));
                    })
                    .switchIfEmpty(Mono.fromSupplier(() -> new AuthOutcome.Unavailable("no authentication answer")))
                    .flatMap(outcome -> settle(credentials, at, admitted, outcome));
        });
    }

    private Mono<AuthOutcome> settle(Credentials credentials, Instant at, LoginThrottle.Admitted admitted,
                                     AuthOutcome outcome) {
        if (outcome instanceof AuthOutcome.Success success) {
            admitted.succeeded();
            record(credentials, at, Result.SUCCESS, success.account().id());
            return Mono.just(outcome);
        }
        if (outcome instanceof AuthOutcome.Rejected) {
            Duration delay = admitted.failed();
            record(credentials, at, Result.REJECTED, null);
            return throttle.pause(delay).thenReturn(outcome);
        }
        admitted.unanswered();
        record(credentials, at, Result.UNAVAILABLE, null);
        return Mono.just(outcome);
    }

    private void record(Credentials credentials, Instant at, Result result, @Nullable Long accountId) {
        try {
            AuthEvent event = new AuthEvent(at, credentials.protocol(), credentials.remoteIp(), credentials.login(),
                    result, accountId);
            audit.record(event).subscribe(null, error -> LOG.warn("recording a login attempt failed: {}",
                    error.toString()));
        } catch (RuntimeException e) {
            LOG.warn("recording a login attempt failed: {}", e.toString());
        }
    }
}
