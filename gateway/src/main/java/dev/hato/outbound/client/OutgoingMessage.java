package dev.hato.outbound.client;

import dev.hato.store.queue.Envelope;
import dev.hato.store.queue.OutboundRecipient;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;

/**
 * One message to send in one SMTP transaction: its envelope, its recipients at this destination, its size (for
 * SIZE) and its content, read anew for each transfer.
 */
public record OutgoingMessage(Envelope envelope, List<OutboundRecipient> recipients, long size,
                              Supplier<Flux<ByteBuffer>> content) {
    public OutgoingMessage {
        recipients = List.copyOf(recipients);
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("a transaction needs at least one recipient");
        }
    }
}
