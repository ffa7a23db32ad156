package dev.hato.dsn;

import dev.hato.delivery.MessageSpool;
import dev.hato.store.mail.Delivery;
import dev.hato.store.mail.DeliveryWriter;
import dev.hato.delivery.Recipient;
import dev.hato.delivery.RecipientResolver;
import dev.hato.store.mail.MessageContent;
import dev.hato.store.queue.Envelope;
import dev.hato.store.queue.OutboundRecipient;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Delivers reports through the same {@link DeliveryWriter} as any mail: into the sender's INBOX when the sender's
 * domain is local, else into the outbound queue (when outbound delivery is enabled). Reports go out with the null
 * sender (RFC 3461 §6.2, RFC 5321 §4.5.5) and NOTIFY=NEVER, and a message with the null sender never gets one, so
 * two servers can never bounce mail back and forth.
 */
public final class DeliveringReportSender implements ReportSender {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveringReportSender.class);

    private final DeliveryReports reports;
    private final RecipientResolver recipients;
    private final DeliveryWriter writer;
    private final boolean remoteDelivery;
    private final Clock clock;

    /** {@code remoteDelivery}: whether reports to senders elsewhere can be queued (outbound delivery enabled). */
    public DeliveringReportSender(DeliveryReports reports, RecipientResolver recipients, DeliveryWriter writer,
                                  boolean remoteDelivery, Clock clock) {
        this.reports = reports;
        this.recipients = recipients;
        this.writer = writer;
        this.remoteDelivery = remoteDelivery;
        this.clock = clock;
    }

    @Override
    public Mono<Boolean> send(Envelope envelope, Instant arrival, List<RecipientReport> recipients,
                              MessageContent original, DeliveryReports.Origin origin) {
        if (envelope.nullSender() || recipients.isEmpty()) {
            return Mono.just(false);
        }
        String sender = envelope.sender();
        Envelope reportEnvelope = DeliveryReports.envelopeFor(envelope);
        return route(sender)
                .map(Optional::of)
                .onErrorResume(Unreachable.class, unreachable -> {
                    LOG.warn("no delivery report to {}: {}", sender, unreachable.getMessage());
                    return Mono.just(Optional.empty());
                })
                .flatMap(route -> route.isEmpty() ? Mono.just(false) : reports.report(envelope, arrival, recipients,
                                original, origin)
                        .flatMap(content -> writer.deliver(route.get().isEmpty()
                                        ? new Delivery(content, List.of(), clock.instant(), reportEnvelope,
                                                List.of(new OutboundRecipient(sender,
                                                        Set.of(OutboundRecipient.Notify.NEVER), null)))
                                        : new Delivery(content, route.get(), clock.instant(), reportEnvelope,
                                                List.of()))
                                .doFinally(signal -> {
                                    if (content instanceof MessageSpool spool) {
                                        spool.discard();
                                    }
                                }))
                        .thenReturn(true));
    }

    /** A sender no report can reach: a local address without an account, or elsewhere with no way out. */
    private static final class Unreachable extends RuntimeException {
        Unreachable(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The accounts the sender's address reaches (resolved as any recipient is: aliases, plus-addressing,
     * catch-all), an empty list to queue the report to a sender elsewhere, or {@link Unreachable}.
     */
    private Mono<List<Long>> route(String sender) {
        return recipients.resolve(sender).flatMap(recipient -> {
            if (recipient instanceof Recipient.Resolved resolved && !resolved.accounts().isEmpty()) {
                return Mono.just(resolved.accounts().stream().map(account -> account.id()).toList());
            }
            if (recipient instanceof Recipient.Remote) {
                return remoteDelivery ? Mono.just(List.<Long>of()) : Mono.error(new Unreachable(
                        "outbound delivery is not enabled, so a report cannot go to " + sender));
            }
            return Mono.error(new Unreachable("the local sender " + sender + " reaches no account here"));
        });
    }
}
