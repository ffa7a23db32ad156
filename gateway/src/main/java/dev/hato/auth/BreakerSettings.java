package dev.hato.auth;

import java.time.Duration;

/**
 * How a remote credential source is guarded ({@link ResilientCredentialSource}).
 *
 * @param timeout                  longest wait for one answer; a hanging backend costs this much, then an error
 * @param failureRateThreshold     percentage of failed calls (errors and timeouts, never wrong passwords) in the
 *                                 window at which the circuit opens, 1–100
 * @param slidingWindowSize        number of most recent calls the failure rate is computed over
 * @param minimumNumberOfCalls     calls needed in the window before the rate is judged at all
 * @param waitDurationInOpenState  how long an open circuit fails fast before it lets probe calls through
 * @param permittedCallsInHalfOpen probe calls let through when half-open; their failure rate decides whether the
 *                                 circuit closes or opens again
 */
public record BreakerSettings(Duration timeout, float failureRateThreshold, int slidingWindowSize,
                              int minimumNumberOfCalls, Duration waitDurationInOpenState,
                              int permittedCallsInHalfOpen) {

    public BreakerSettings {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        if (!(failureRateThreshold > 0 && failureRateThreshold <= 100)) {
            throw new IllegalArgumentException("failureRateThreshold must be in (0, 100]");
        }
        if (slidingWindowSize < 1) {
            throw new IllegalArgumentException("slidingWindowSize must be at least 1");
        }
        if (minimumNumberOfCalls < 1) {
            throw new IllegalArgumentException("minimumNumberOfCalls must be at least 1");
        }
        if (waitDurationInOpenState.isNegative() || waitDurationInOpenState.isZero()) {
            throw new IllegalArgumentException("waitDurationInOpenState must be positive");
        }
        if (permittedCallsInHalfOpen < 1) {
            throw new IllegalArgumentException("permittedCallsInHalfOpen must be at least 1");
        }
    }

    /** 3 s timeout; opens at 50 % failures over the last 20 calls (at least 10); 30 s open; 3 probes. */
    public static BreakerSettings defaults() {
        return new BreakerSettings(Duration.ofSeconds(3), 50f, 20, 10, Duration.ofSeconds(30), 3);
    }

    public BreakerSettings withTimeout(Duration value) {
        return new BreakerSettings(value, failureRateThreshold, slidingWindowSize, minimumNumberOfCalls,
                waitDurationInOpenState, permittedCallsInHalfOpen);
    }

    public BreakerSettings withFailureRateThreshold(float value) {
        return new BreakerSettings(timeout, value, slidingWindowSize, minimumNumberOfCalls,
                waitDurationInOpenState, permittedCallsInHalfOpen);
    }

    public BreakerSettings withSlidingWindowSize(int value) {
        return new BreakerSettings(timeout, failureRateThreshold, value, minimumNumberOfCalls,
                waitDurationInOpenState, permittedCallsInHalfOpen);
    }

    public BreakerSettings withMinimumNumberOfCalls(int value) {
        return new BreakerSettings(timeout, failureRateThreshold, slidingWindowSize, value,
                waitDurationInOpenState, permittedCallsInHalfOpen);
    }

    public BreakerSettings withWaitDurationInOpenState(Duration value) {
        return new BreakerSettings(timeout, failureRateThreshold, slidingWindowSize, minimumNumberOfCalls, value,
                permittedCallsInHalfOpen);
    }

    public BreakerSettings withPermittedCallsInHalfOpen(int value) {
        return new BreakerSettings(timeout, failureRateThreshold, slidingWindowSize, minimumNumberOfCalls,
                waitDurationInOpenState, value);
    }
}
