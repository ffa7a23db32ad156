package dev.hato.dsn;

import dev.hato.store.mail.MessageContent;
import dev.hato.store.queue.Envelope;
import java.time.Instant;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Builds a delivery status notification about {@code recipients} of a message and delivers it to the message's
 * sender, with the null sender. Emits whether a report was sent: {@code false} for a message whose sender is null
 * (no report about a report) or whose sender cannot be reached at all (logged). Errors when the report could not be
 * built or stored right now (the store is down): a temporary failure, so that the caller can keep what the report
 * is about and try again, rather than lose the report.
 */
@FunctionalInterface
public interface ReportSender {

    /**
     * {@code origin} says whether the sender of the reported message was authenticated; it decides whether a
     * success report may quote the original (see {@link DeliveryReports.Origin}).
     */
    Mono<Boolean> send(Envelope envelope, Instant arrival, List<RecipientReport> recipients, MessageContent original,
                       DeliveryReports.Origin origin);

    /** Sends nothing (no outbound side wired). */
    ReportSender NONE = (envelope, arrival, recipients, original, origin) -> Mono.just(false);
}
