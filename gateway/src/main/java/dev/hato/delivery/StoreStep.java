package dev.hato.delivery;

import dev.hato.store.mail.Delivery;
import dev.hato.store.mail.DeliveryReceipt;
import dev.hato.store.mail.DeliveryWriter;
import dev.hato.store.queue.Envelope;
import dev.hato.store.mail.MessageContent;
import dev.hato.store.mail.MessageFacts;
import dev.hato.store.queue.OutboundRecipient;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;
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

    /**
     * Commits {@code content} with {@code facts}, read in the pass that received it; a message only queued needs
     * none (it is never read through IMAP). A local copy without facts gets them the first time FETCH needs them.
     */
    public Mono<DeliveryReceipt> store(MessageContent content, @Nullable MessageFacts facts, List<Long> accounts,
                                       Instant arrival, Envelope envelope, List<OutboundRecipient> outbound) {
        return store(content, facts, accounts, arrival, envelope, outbound, false);
    }

    /** As above; {@code junk}: the local copies go to each account's \Junk mailbox (created when missing). */
    public Mono<DeliveryReceipt> store(MessageContent content, @Nullable MessageFacts facts, List<Long> accounts,
                                       Instant arrival, Envelope envelope, List<OutboundRecipient> outbound,
                                       boolean junk) {
        return writer.deliver(new Delivery(content, accounts, arrival, envelope, outbound,
                accounts.isEmpty() ? null : facts, junk));
    }
}
