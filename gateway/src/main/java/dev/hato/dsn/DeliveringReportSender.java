package dev.hato.dsn;

import dev.hato.delivery.GeneratedDelivery;
import dev.hato.delivery.MessageSpool;
import dev.hato.store.queue.Envelope;
import dev.hato.store.mail.MessageContent;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Delivers reports through the delivery pipeline's {@link GeneratedDelivery}, as any mail: into the sender's INBOX
 * when the sender's domain is local, else into the outbound queue (when outbound delivery is enabled). Reports go
 * out with the null sender (RFC 3461 §6.2, RFC 5321 §4.5.5) and NOTIFY=NEVER, and a message with the null sender
 * never gets one, so two servers can never bounce mail back and forth.
 */
public final class DeliveringReportSender implements ReportSender {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveringReportSender.class);

    private final DeliveryReports reports;
    private final GeneratedDelivery delivery;

    public DeliveringReportSender(DeliveryReports reports, GeneratedDelivery delivery) {
        this.reports = reports;
        this.delivery = delivery;
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
            return reports.report(envelope, arrival, recipients, original, origin)
                    .flatMap(content -> delivery.deliver(destination, content, reportEnvelope)
                            .doFinally(signal -> {
                                if (content instanceof MessageSpool spool) {
                                    spool.discard();
                                }
                            }))
                    .thenReturn(true);
        });
    }
}
