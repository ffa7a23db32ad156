package dev.hato.outbound;

import dev.hato.dsn.DeliveryReports;
import dev.hato.dsn.RecipientReport;
import dev.hato.dsn.ReportSender;
import dev.hato.store.mail.MessageContent;
import dev.hato.store.queue.OutboundQueue;
import dev.hato.store.queue.QueuedMessage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Sends delivery status notifications about queued messages (delay notices, bounces, "relayed") back to their
 * sender through a {@link ReportSender}, quoting the original straight from the store.
 */
final class Reporter {

    private final ReportSender sender;
    private final OutboundQueue queue;

    Reporter(ReportSender sender, OutboundQueue queue) {
        this.sender = sender;
        this.queue = queue;
    }

    /**
     * Builds and delivers one report about {@code recipients} of {@code message}; emits whether one was sent. The
     * queue does not record whether a message was submitted by an authenticated user or came in on port 25 (by
     * forwarding), so its reports are built as for an unauthenticated sender: a "relayed" report quotes nothing
     * of the original, while delay and failure reports return it as RET asks.
     */
    Mono<Boolean> send(QueuedMessage message, List<RecipientReport> recipients) {
        return sender.send(message.envelope(), message.arrival(), recipients, new StoredOriginal(message, queue),
                DeliveryReports.Origin.UNAUTHENTICATED);
    }

    /** The queued message as the report builder reads it: streamed from the store, never whole in memory. */
    private record StoredOriginal(QueuedMessage message, OutboundQueue queue) implements MessageContent {
        @Override
        public byte[] sha256() {
            // The report builder uses the hash only to name its MIME boundary and Message-ID; the queue does not
            // keep the blob's hash at hand, and the queued message's identity serves that purpose as well.
            try {
                return MessageDigest.getInstance("SHA-256").digest(("queued message " + message.id() + " blob "
                        + message.blobId()).getBytes(StandardCharsets.US_ASCII));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is required by every Java platform", e);
            }
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
