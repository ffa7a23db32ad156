package dev.hato.delivery;

import dev.hato.store.mail.Delivery;
import dev.hato.store.mail.DeliveryReceipt;
import dev.hato.store.mail.DeliveryWriter;
import dev.hato.store.queue.Envelope;
import dev.hato.store.mail.MessageContent;
import dev.hato.store.queue.OutboundRecipient;
import java.time.Instant;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * The last step: appends the message to the INBOX of each account and queues it for each recipient elsewhere, in
 * one transaction (the {@link DeliveryWriter} batches it with other deliveries). The receipt proves the commit;
 * nothing may be acknowledged before it.
 */
public final class StoreStep {

    private final DeliveryWriter writer;

    public StoreStep(DeliveryWriter writer) {
        this.writer = writer;
    }

    public Mono<DeliveryReceipt> store(MessageContent content, List<Long> accounts, Instant arrival,
                                       Envelope envelope, List<OutboundRecipient> outbound) {
        return writer.deliver(new Delivery(content, accounts, arrival, envelope, outbound));
    }
}
