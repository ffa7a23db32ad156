package dev.hato.outbound;

import dev.hato.delivery.MessageSpool;
import dev.hato.dsn.DeliveryReports;
import dev.hato.dsn.RecipientReport;
import dev.hato.store.Delivery;
import dev.hato.store.DeliveryWriter;
import dev.hato.store.Directory;
import dev.hato.store.Envelope;
import dev.hato.store.MessageContent;
import dev.hato.store.OutboundQueue;
import dev.hato.store.OutboundRecipient;
import dev.hato.store.QueuedMessage;
import dev.hato.store.QueuedRecipient;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Sends delivery status notifications back to a message's sender (RFC 3464), through the same {@link
 * DeliveryWriter} as any mail: into the sender's INBOX when the sender is local, else into the outbound queue.
 * Reports go out with the null sender (RFC 3461 §6.2, RFC 5321 §4.5.5), and a message with the null sender never
 * gets one: no report about a report, so two servers can never bounce mail back and forth.
 */
final class Reporter {

    private static final Logger log = LoggerFactory.getLogger(Reporter.class);

    private final DeliveryReports reports;
    private final OutboundQueue queue;
    private final Directory directory;
    private final DeliveryWriter writer;
    private final Clock clock;

    Reporter(DeliveryReports reports, OutboundQueue queue, Directory directory, DeliveryWriter writer, Clock clock) {
        this.reports = reports;
        this.queue = queue;
        this.directory = directory;
        this.writer = writer;
        this.clock = clock;
    }

    /**
     * Builds and delivers one report about {@code recipients} of {@code message}; emits whether one was sent. A
     * report that cannot be built or stored is logged, not retried: the queue's own state is what matters.
     */
    Mono<Boolean> send(QueuedMessage message, List<RecipientReport> recipients) {
        Envelope envelope = message.envelope();
        if (envelope.nullSender() || recipients.isEmpty()) {
            return Mono.just(false);
        }
        String sender = envelope.sender();
        // The report carries the original (or its header), so it needs what the original needed.
        Envelope reportEnvelope = new Envelope("", null, null, envelope.utf8(),
                envelope.body() == Envelope.Body.SEVEN_BIT ? Envelope.Body.SEVEN_BIT : Envelope.Body.EIGHT_BIT_MIME);
        return reports.report(envelope, message.arrival(), recipients, new StoredOriginal(message, queue))
                .flatMap(content -> route(sender)
                        .map(account -> new Delivery(content, List.of(account), clock.instant(), reportEnvelope,
                                List.of()))
                        .switchIfEmpty(Mono.fromSupplier(() -> new Delivery(content, List.of(), clock.instant(),
                                reportEnvelope, List.of(new OutboundRecipient(sender,
                                        Set.of(OutboundRecipient.Notify.NEVER), null)))))
                        .flatMap(writer::deliver)
                        .doFinally(signal -> {
                            if (content instanceof MessageSpool spool) {
                                spool.discard();
                            }
                        }))
                .thenReturn(true)
                .onErrorResume(error -> {
                    log.warn("could not send a delivery report for queued message {}: {}", message.id(),
                            error.toString());
                    return Mono.just(false);
                });
    }

    /** The local account of the sender; empty when the sender's domain is not ours (then it goes out). */
    private Mono<Long> route(String sender) {
        return directory.isLocalDomain(QueuedRecipient.domainOf(sender))
                .flatMap(local -> !local ? Mono.<Long>empty()
                        : directory.findByAddress(sender.toLowerCase(java.util.Locale.ROOT))
                                .map(account -> account.id())
                                .switchIfEmpty(Mono.error(() -> new IllegalStateException(
                                        "the local sender " + sender + " has no account"))));
    }

    /** The queued message as the report builder reads it: streamed from the store, never whole in memory. */
    private record StoredOriginal(QueuedMessage message, OutboundQueue queue) implements MessageContent {
        @Override
        public byte[] sha256() {
            // The report builder streams the original into a new message; it has no use for the old hash.
            throw new UnsupportedOperationException("the SHA-256 of a queued message is not at hand");
        }

        @Override
        public long size() {
            return message.size();
        }

        @Override
        public Flux<ByteBuffer> chunks() {
            return queue.content(message.blobId());
        }
    }
}
