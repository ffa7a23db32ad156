package dev.hato.app.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import reactor.core.publisher.Mono;

/** The store's health: UP or DOWN with the reason, and one look at the store for many requests. */
class StoreHealthTest {

    @Test
    void manyHealthRequestsShouldAskTheStoreOnce() {
        AtomicInteger looks = new AtomicInteger();
        StoreHealth health = new StoreHealth(() -> Mono.fromRunnable(looks::incrementAndGet), "embedded PostgreSQL",
                Duration.ofSeconds(5), Duration.ofHours(1));
        for (int i = 0; i < 20; i++) {
            assertThat(health.health().block(Duration.ofSeconds(5)).getStatus()).isEqualTo(Status.UP);
        }
        assertThat(looks).hasValue(1);
    }

    @Test
    void aStoreThatFailsOrDoesNotAnswerShouldBeDown() {
        Health failed = new StoreHealth(() -> Mono.error(new IllegalStateException("connection refused")), "db",
                Duration.ofSeconds(5), Duration.ZERO).health().block(Duration.ofSeconds(5));
        assertThat(failed.getStatus()).isEqualTo(Status.DOWN);
        assertThat(failed.getDetails()).containsEntry("error", "connection refused").containsEntry("database", "db");

        Health silent = new StoreHealth(Mono::never, "db", Duration.ofMillis(50), Duration.ZERO).health()
                .block(Duration.ofSeconds(5));
        assertThat(silent.getStatus()).isEqualTo(Status.DOWN);
        assertThat(silent.getDetails()).containsEntry("error", "no answer within PT0.05S");
    }
}
