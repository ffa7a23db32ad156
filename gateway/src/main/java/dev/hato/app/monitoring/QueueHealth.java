package dev.hato.app.monitoring;

import dev.hato.store.queue.OutboundQueue;
import dev.hato.store.queue.QueueSummary;
import java.time.Clock;
import java.time.Duration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Status;
import reactor.core.publisher.Mono;

/**
 * {@code outboundQueue}: how many recipients and messages wait and how old the oldest is. UP normally;
 * {@link #WARNING} when the oldest waiting message is older than {@code warnAfter} (the delay-notice age: its
 * senders are being told their mail is late, so someone should look at why); DOWN when the queue cannot be read.
 * A full or old queue does not make Hato unable to take mail, so WARNING answers 200 and stays out of the public
 * health check.
 */
public final class QueueHealth implements ReactiveHealthIndicator {

    /** Worse than UP, better than DOWN; application.properties orders it and maps it to HTTP 200. */
    public static final Status WARNING = new Status("WARNING", "messages wait longer than the delay notice");

    private final OutboundQueue queue;
    private final Duration warnAfter;
    private final Duration timeout;
    private final Clock clock;

    public QueueHealth(OutboundQueue queue, Duration warnAfter, Duration timeout, Clock clock) {
        this.queue = queue;
        this.warnAfter = warnAfter;
        this.timeout = timeout;
        this.clock = clock;
    }

    @Override
    public Mono<Health> health() {
        return Mono.defer(queue::summary)
                .timeout(timeout)
                .map(this::health)
                .onErrorResume(error -> Mono.just(Health.down().withDetail("error",
                        error instanceof java.util.concurrent.TimeoutException ? "no answer within " + timeout
                                : String.valueOf(error.getMessage())).build()));
    }

    private Health health(QueueSummary summary) {
        long oldest = summary.oldestArrival() == null ? 0
                : Math.max(0, Duration.between(summary.oldestArrival(), clock.instant()).toSeconds());
        boolean late = summary.oldestArrival() != null && oldest > warnAfter.toSeconds();
        return Health.status(late ? WARNING : Status.UP)
                .withDetail("recipients", summary.recipients())
                .withDetail("messages", summary.messages())
                .withDetail("oldestAgeSeconds", oldest)
                .withDetail("warnAfterSeconds", warnAfter.toSeconds())
                .build();
    }
}
