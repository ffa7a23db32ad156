package dev.hato.delivery;

import dev.hato.store.mail.FactsReader;
import dev.hato.store.queue.Envelope;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Delivers a message Hato wrote itself (a TLS report) to one address through {@link GeneratedDelivery}, as
 * {@link DeliveringReportSender} does with delivery reports: into a local mailbox, or into the outbound queue.
 */
public final class DeliveringMailer {

    private final GeneratedDelivery delivery;
    private final Path spoolDirectory;
    private final Scheduler io;
    private final Supplier<? extends @Nullable FactsReader> facts;

    public DeliveringMailer(GeneratedDelivery delivery, Path spoolDirectory, Scheduler io,
                            Supplier<? extends @Nullable FactsReader> facts) {
        this.delivery = delivery;
        this.spoolDirectory = spoolDirectory;
        this.io = io;
        this.facts = facts;
    }

    /** Stores or queues {@code message} for {@code recipient}; errors when it is unreachable or the store fails. */
    public Mono<Void> send(Envelope envelope, String recipient, byte[] message) {
        return delivery.route(recipient).flatMap(destination -> {
            if (destination instanceof GeneratedDelivery.Unreachable unreachable) {
                return Mono.error(new IllegalStateException("no delivery to " + recipient + ": "
                        + unreachable.reason()));
            }
            return Mono.usingWhen(Mono.fromSupplier(() -> new MessageSpool(spoolDirectory,
                                    DeliveringReportSender.SPOOL_MEMORY_LIMIT, io, facts.get())),
                            spool -> spool.append(ByteBuffer.wrap(message))
                                    .then(Mono.defer(spool::finish))
                                    .then(Mono.defer(() -> delivery.deliver(destination, spool, envelope))),
                            spool -> Mono.fromRunnable(spool::discard))
                    .then();
        });
    }
}
