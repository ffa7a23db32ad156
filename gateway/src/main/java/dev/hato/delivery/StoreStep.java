package dev.hato.delivery;

import dev.hato.store.mail.Copy;
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
 * The last step: stores the message's copies for the local accounts and queues it for each recipient elsewhere, in
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
        return store(content, facts, Copy.inboxes(accounts), arrival, envelope, outbound, false);
    }

    /**
     * As above, with each local copy's mailbox and flags (a Sieve script's decision); {@code junk}: the copies
     * without a mailbox go to each account's \Junk mailbox (created when missing), not the INBOX.
     */
    public Mono<DeliveryReceipt> store(MessageContent content, @Nullable MessageFacts facts, List<Copy> copies,
                                       Instant arrival, Envelope envelope, List<OutboundRecipient> outbound,
                                       boolean junk) {
        return writer.deliver(new Delivery(content, copies, arrival, envelope, outbound,
                copies.isEmpty() ? null : facts, junk));
    }
}
