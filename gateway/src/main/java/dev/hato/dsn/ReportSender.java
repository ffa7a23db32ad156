package dev.hato.dsn;

import dev.hato.store.Envelope;
import dev.hato.store.MessageContent;
import java.time.Instant;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Builds a delivery status notification about {@code recipients} of a message and delivers it to the message's
 * sender, with the null sender. Emits whether a report was sent: never for a message whose sender is null (no
 * report about a report), never an error (a report that cannot be sent is logged by the implementation).
 */
@FunctionalInterface
public interface ReportSender {

    Mono<Boolean> send(Envelope envelope, Instant arrival, List<RecipientReport> recipients, MessageContent original);

    /** Sends nothing (no outbound side wired). */
    ReportSender NONE = (envelope, arrival, recipients, original) -> Mono.just(false);
}
