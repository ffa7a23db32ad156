package dev.hato.app.monitoring;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import reactor.core.publisher.Mono;

/**
 * {@code store}: UP when the database answers one cheap read (the gateway passes one row of the smallest table)
 * within {@code timeout}, DOWN otherwise. It is the only component of the public {@code /health}, which anyone can
 * ask as often as they like while the store's connections are for mail: one answer serves every health request for
 * {@code reuse}. Without the store Hato can neither take nor serve mail; with it, everything else degrades
 * gracefully.
 */
public final class StoreHealth implements ReactiveHealthIndicator {

    private final Mono<Health> health;

    /**
     * @param probe the cheap read; completes when the store answers
     * @param database how the store is described in the details (never with credentials)
     */
    public StoreHealth(Supplier<Mono<?>> probe, String database, Duration timeout, Duration reuse) {
        this.health = Mono.defer(probe)
                .timeout(timeout)
                .then(Mono.fromSupplier(() -> Health.up().withDetail("database", database).build()))
                .onErrorResume(error -> Mono.just(Health.down().withDetail("database", database)
                        .withDetail("error", error instanceof TimeoutException ? "no answer within " + timeout
                                : String.valueOf(error.getMessage()))
                        .build()))
                .cache(reuse);
    }

    @Override
    public Mono<Health> health() {
        return health;
    }
}
