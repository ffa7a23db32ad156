package dev.hato.auth;

import dev.hato.store.directory.Account;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import reactor.core.publisher.Mono;

/**
 * Guards a remote credential source (the seed's outage came from one) with a timeout and a circuit breaker, so
 * that a dead or hanging backend costs at most {@link BreakerSettings#timeout()} per login and, once the circuit is
 * open, nothing at all: calls fail fast with {@link CallNotPermittedException}, which callers report as a temporary
 * failure. Only errors count as failures; {@code false} (a wrong password) is a perfectly good answer. After
 * {@link BreakerSettings#waitDurationInOpenState()} the next logins are let through as probes (half-open) and
 * their outcome closes or re-opens the circuit, so recovery needs no operator.
 *
 * <p>Metrics (bounded tags: the source name comes from the configuration):
 * {@code hato.auth.source.state{source}} 0 closed, 1 half-open, 2 open;
 * {@code hato.auth.source.calls{source,outcome}} with outcome accepted, rejected, error, timeout or short_circuited.
 */
public final class ResilientCredentialSource implements CredentialSource {

    /** The breaker's state as reported to the health endpoint. */
    public enum State { CLOSED, HALF_OPEN, OPEN }

    private final CredentialSource delegate;
    private final BreakerSettings settings;
    private final CircuitBreaker breaker;
    private final Map<String, Counter> calls;

    public ResilientCredentialSource(CredentialSource delegate, BreakerSettings settings, MeterRegistry meters) {
        this(delegate, settings, meters, Clock.systemUTC());
    }

    /** {@code clock} drives the open-state wait; tests pass a settable one. */
    ResilientCredentialSource(CredentialSource delegate, BreakerSettings settings, MeterRegistry meters,
                              Clock clock) {
        this.delegate = delegate;
        this.settings = settings;
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(settings.slidingWindowSize())
                .minimumNumberOfCalls(settings.minimumNumberOfCalls())
                .failureRateThreshold(settings.failureRateThreshold())
                .waitDurationInOpenState(settings.waitDurationInOpenState())
                .permittedNumberOfCallsInHalfOpenState(settings.permittedCallsInHalfOpen())
                // No timer thread: the first login after the wait is the probe (and the health endpoint shows OPEN
                // until then).
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .clock(clock)
                .build();
        this.breaker = CircuitBreaker.of(delegate.name(), config);
        String name = delegate.name();
        Gauge.builder("hato.auth.source.state", breaker, b -> state(b).ordinal())
                .description("Circuit breaker of a credential source: 0 closed, 1 half-open, 2 open")
                .tag("source", name)
                .register(meters);
        this.calls = Map.of(
                "accepted", counter(meters, name, "accepted"),
                "rejected", counter(meters, name, "rejected"),
                "error", counter(meters, name, "error"),
                "timeout", counter(meters, name, "timeout"),
                "short_circuited", counter(meters, name, "short_circuited"));
    }

    private static Counter counter(MeterRegistry meters, String source, String outcome) {
        return Counter.builder("hato.auth.source.calls")
                .description("Password checks by a credential source, by outcome")
                .tag("source", source)
                .tag("outcome", outcome)
                .register(meters);
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public Mono<Boolean> verify(Account account, String password) {
        return Mono.defer(() -> delegate.verify(account, password))
                .switchIfEmpty(Mono.error(() -> new CredentialSourceException(name() + " gave no answer")))
                .timeout(settings.timeout())
                .transformDeferred(CircuitBreakerOperator.of(breaker))
                .doOnNext(ok -> calls.get(ok ? "accepted" : "rejected").increment())
                .doOnError(error -> calls.get(outcome(error)).increment());
    }

    private static String outcome(Throwable error) {
        if (error instanceof CallNotPermittedException) {
            return "short_circuited";
        }
        return error instanceof TimeoutException ? "timeout" : "error";
    }

    public State state() {
        return state(breaker);
    }

    private static State state(CircuitBreaker breaker) {
        return switch (breaker.getState()) {
            case CLOSED, DISABLED, METRICS_ONLY -> State.CLOSED;
            case HALF_OPEN -> State.HALF_OPEN;
            case OPEN, FORCED_OPEN -> State.OPEN;
        };
    }
}
