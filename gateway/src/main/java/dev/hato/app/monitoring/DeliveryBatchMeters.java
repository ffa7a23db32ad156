package dev.hato.app.monitoring;

import dev.hato.store.mail.BatchStats;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * The group commit as meters: {@code hato.delivery.batch.size} (messages per batch) and
 * {@code hato.delivery.batch.commit} (time to write a batch, its commit included, by outcome committed or failed).
 * The store reports each batch as it ends; counting it is all that happens on that thread.
 */
public final class DeliveryBatchMeters implements AutoCloseable {

    private final Disposable subscription;

    public DeliveryBatchMeters(Flux<BatchStats> batches, MeterRegistry meters) {
        DistributionSummary size = DistributionSummary.builder("hato.delivery.batch.size")
                .description("Messages per delivery batch (one transaction, one commit)")
                .serviceLevelObjectives(1, 2, 5, 10, 20, 50, 100).register(meters);
        Timer committed = timer(meters, "committed");
        Timer failed = timer(meters, "failed");
        subscription = batches.subscribe(batch -> {
            size.record(batch.messages());
            (batch.committed() ? committed : failed).record(batch.took());
        });
    }

    private static Timer timer(MeterRegistry meters, String outcome) {
        return Timer.builder("hato.delivery.batch.commit")
                .description("Time to write one delivery batch, its commit included")
                .tag("outcome", outcome)
                .serviceLevelObjectives(java.time.Duration.ofMillis(5), java.time.Duration.ofMillis(20),
                        java.time.Duration.ofMillis(100), java.time.Duration.ofMillis(500),
                        java.time.Duration.ofSeconds(2))
                .register(meters);
    }

    @Override
    public void close() {
        subscription.dispose();
    }
}
