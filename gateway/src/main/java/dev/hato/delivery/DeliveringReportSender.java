package dev.hato.delivery;

import dev.hato.dsn.DeliveryReports;
import dev.hato.dsn.RecipientReport;
import dev.hato.dsn.ReportSender;
import dev.hato.store.mail.FactsReader;
import dev.hato.store.mail.MessageContent;
import dev.hato.store.queue.Envelope;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Delivers reports through the delivery pipeline's {@link GeneratedDelivery}, as any mail: into the sender's INBOX
 * when the sender's domain is local, else into the outbound queue (when outbound delivery is enabled). Reports go
 * out with the null sender (RFC 3461 §6.2, RFC 5321 §4.5.5) and NOTIFY=NEVER, and a message with the null sender
 * never gets one, so two servers can never bounce mail back and forth.
 *
 * <p>The report {@link DeliveryReports} writes is spooled here, its facts read in the same pass (a report delivered
 * locally is read through IMAP like any message), and the spool is discarded once stored. This class lives in the
 * pipeline's package so that dsn, which only writes reports, depends on nothing of delivery.
 */
public final class DeliveringReportSender implements ReportSender {

    /** Reports are small unless they carry the original; the spool keeps up to this much in memory. */
    static final int SPOOL_MEMORY_LIMIT = 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(DeliveringReportSender.class);

    private final DeliveryReports reports;
    private final GeneratedDelivery delivery;
    private final Path spoolDirectory;
    private final Scheduler io;
    private final Supplier<? extends @Nullable FactsReader> facts;

    /**
     * @param spoolDirectory where a report too big for memory is written (the delivery spool directory)
     * @param io             runs the spool's file writes; never an event loop
     * @param facts          a reader of each report's facts (or null: stored without, read when first fetched)
     */
    public DeliveringReportSender(DeliveryReports reports, GeneratedDelivery delivery, Path spoolDirectory,
                                  Scheduler io, Supplier<? extends @Nullable FactsReader> facts) {
        this.reports = reports;
        this.delivery = delivery;
        this.spoolDirectory = spoolDirectory;
        this.io = io;
        this.facts = facts;
    }

    @Override
    public Mono<Boolean> send(Envelope envelope, Instant arrival, List<RecipientReport> recipients,
                              MessageContent original, DeliveryReports.Origin origin) {
        if (envelope.nullSender() || recipients.isEmpty()) {
            return Mono.just(false);
        }
        String sender = envelope.sender();
        Envelope reportEnvelope = DeliveryReports.envelopeFor(envelope);
        return delivery.route(sender).flatMap(destination -> {
            if (destination instanceof GeneratedDelivery.Unreachable unreachable) {
                LOG.warn("no delivery report to {}: {}", sender, unreachable.reason());
                return Mono.just(false);
            }
            return Mono.usingWhen(Mono.fromSupplier(() -> new MessageSpool(spoolDirectory, SPOOL_MEMORY_LIMIT, io,
                                    facts.get())),
                            spool -> reports.report(envelope, arrival, recipients, original, origin)
                                    // MessageSpool.append digests its argument when called: one at a time, in order
                                    .concatMap(chunk -> Mono.defer(() -> spool.append(chunk)))
                                    .then(Mono.defer(spool::finish))
                                    .then(Mono.defer(() -> delivery.deliver(destination, spool, reportEnvelope))),
                            spool -> Mono.fromRunnable(spool::discard))
                    .thenReturn(true);
        });
    }
}
