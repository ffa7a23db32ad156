package dev.hato.delivery;

import dev.hato.imap.fetch.MessageIndexer;
import dev.hato.store.mail.Delivery;
import dev.hato.store.mail.DeliveryReceipt;
import dev.hato.store.mail.DeliveryWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Parses every delivered message once, before it is committed, so that its {@link dev.hato.store.mail.MessageFacts}
 * are stored with its blob in the delivery transaction and IMAP FETCH, SEARCH, SORT and THREAD never parse it
 * again (issue 4 §3). The parse runs on the indexer's scheduler, off the event loop, reading the spooled content
 * once more in chunks. A message beyond the parser's limits gets the facts of its degraded structure (one opaque
 * body, see {@link dev.hato.imap.fetch.StructureScanner}), and so does one the parser fails on (see {@link
 * MessageIndexer#index(dev.hato.store.mail.MessageContent)}), so it too is parsed once. A failure to index at all (the
 * spool cannot be read) never refuses the message: it is delivered without facts, and IMAP computes them when first
 * needed (if the spool really is unreadable, storing it fails too, and that is what the sender is told). A delivery
 * that already carries facts is passed on as it is.
 */
public final class IndexingDeliveryWriter implements DeliveryWriter {

    private static final Logger LOG = LoggerFactory.getLogger(IndexingDeliveryWriter.class);

    private final DeliveryWriter writer;
    private final MessageIndexer indexer;

    public IndexingDeliveryWriter(DeliveryWriter writer, MessageIndexer indexer) {
        this.writer = writer;
        this.indexer = indexer;
    }

    @Override
    public Mono<DeliveryReceipt> deliver(Delivery delivery) {
        if (delivery.facts() != null || delivery.accountIds().isEmpty()) {
            // only local copies are read through IMAP; a message that is only queued needs no facts
            return writer.deliver(delivery);
        }
        return indexer.index(delivery.content())
                .map(facts -> new Delivery(delivery.content(), delivery.accountIds(), delivery.internalDate(),
                        delivery.envelope(), delivery.outbound(), facts))
                .onErrorResume(Exception.class, failure -> {
                    LOG.warn("message not indexed at delivery, IMAP will index it when first read: {}",
                            failure.toString());
                    return Mono.just(delivery);
                })
                .flatMap(writer::deliver);
    }
}
