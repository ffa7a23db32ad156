package dev.hato.app.monitoring;

import dev.hato.store.queue.OutboundQueue;
import dev.hato.store.queue.QueueSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The outbound queue's depth and age as gauges. A scrape must not query the database (it would run on the
 * management listener's event loop, and a scraper could hammer the store), so the queue is sampled every
 * {@code interval} by one aggregate statement ({@link OutboundQueue#summary()}, non-blocking R2DBC) and the gauges
 * read the last sample: {@code hato.outbound.queue.recipients}, {@code hato.outbound.queue.messages},
 * {@code hato.outbound.queue.oldest.age} (seconds since the oldest queued message arrived, computed from the sampled
 * arrival at scrape time; 0 when nothing waits) and {@code hato.outbound.queue.sample.age} (seconds since the last
 * successful sample: a stuck or failing sampler shows here). With several nodes on one database every node reports
 * the same shared queue.
 */
public final class QueueMeters implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QueueMeters.class);
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(10);

    private record Sample(QueueSummary summary, Instant taken) { }

    private final AtomicReference<Sample> last;
    private final Disposable sampler;
    private final Clock clock;

    public QueueMeters(OutboundQueue queue, MeterRegistry meters, Duration interval, Scheduler scheduler,
                       Clock clock) {
        this.clock = clock;
        this.last = new AtomicReference<>(new Sample(QueueSummary.EMPTY, clock.instant()));
        Gauge.builder("hato.outbound.queue.recipients", last, sample -> sample.get().summary().recipients())
                .description("Recipients waiting in the outbound queue (last sample)").register(meters);
        Gauge.builder("hato.outbound.queue.messages", last, sample -> sample.get().summary().messages())
                .description("Messages with recipients waiting in the outbound queue (last sample)").register(meters);
        Gauge.builder("hato.outbound.queue.oldest.age", this, QueueMeters::oldestAgeSeconds).baseUnit("seconds")
                .description("Age of the oldest message waiting in the outbound queue; 0 when it is empty")
                .register(meters);
        Gauge.builder("hato.outbound.queue.sample.age", this, QueueMeters::sampleAgeSeconds).baseUnit("seconds")
                .description("Time since the queue gauges were last sampled from the store").register(meters);
        this.sampler = Flux.interval(Duration.ZERO, interval, scheduler)
                .onBackpressureDrop()
                .concatMap(tick -> Mono.defer(queue::summary).timeout(QUERY_TIMEOUT)
                        .doOnError(error -> LOG.debug("sampling the outbound queue failed: {}", error.toString()))
                        .onErrorResume(error -> Mono.empty()), 1)
                .subscribe(summary -> last.set(new Sample(summary, clock.instant())));
    }

    double oldestAgeSeconds() {
        Instant oldest = last.get().summary().oldestArrival();
        return oldest == null ? 0 : Math.max(0, Duration.between(oldest, clock.instant()).toMillis() / 1000.0);
    }

    double sampleAgeSeconds() {
        return Duration.between(last.get().taken(), clock.instant()).toMillis() / 1000.0;
    }

    @Override
    public void close() {
        sampler.dispose();
    }
}
