package dev.hato.app.monitoring;

import dev.hato.store.pg.PgStore;
import java.time.Duration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import reactor.core.publisher.Mono;

/**
 * {@code store}: UP when the database answers one cheap read (one row of the smallest table) within
 * {@code timeout}, DOWN otherwise. It is the only component of the public {@code /health}: without the store Hato
 * can neither take nor serve mail; with it, everything else degrades gracefully.
 */
public final class StoreHealth implements ReactiveHealthIndicator {

    private final PgStore store;
    private final Duration timeout;

    public StoreHealth(PgStore store, Duration timeout) {
        this.store = store;
        this.timeout = timeout;
    }

    @Override
    public Mono<Health> health() {
        return Mono.defer(() -> store.directory().domains().take(1).then())
                .timeout(timeout)
                .then(Mono.fromSupplier(() -> Health.up().withDetail("database", store.describe()).build()))
                .onErrorResume(error -> Mono.just(Health.down().withDetail("database", store.describe())
                        .withDetail("error", error instanceof java.util.concurrent.TimeoutException
                                ? "no answer within " + timeout : String.valueOf(error.getMessage()))
                        .build()));
    }
}
