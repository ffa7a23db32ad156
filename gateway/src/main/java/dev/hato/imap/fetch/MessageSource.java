package dev.hato.imap.fetch;

import dev.hato.store.mail.Mailboxes;
import dev.hato.store.mail.MessageFacts;
import dev.hato.store.mail.MessageStore;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What {@link FetchRenderer} reads a message through: {@link #of} adapts the store ({@code MessageStore.content} and
 * {@code heads}, {@code Mailboxes.structure(s)} and {@code Mailboxes.storeFacts}).
 */
public interface MessageSource {

    /** The blob's octets in order, in chunks of bounded size. */
    Flux<ByteBuffer> content(long blobId);

    /** The encoded {@link MessageStructure} kept for the blob ({@link MessageFacts#structure()}); empty when none. */
    Mono<byte[]> structure(long blobId);

    /** {@link #structure} of several blobs in one read; blobs without one are absent. */
    Mono<Map<Long, byte[]>> structures(Collection<Long> blobIds);

    /**
     * The first {@code lengths.get(blobId)} octets of several blobs in one read ({@code MessageStore.heads}); blobs
     * the store cannot answer that way are absent and are read with {@link #content}.
     */
    Mono<Map<Long, ByteBuffer>> heads(Map<Long, Integer> lengths);

    /** Keeps facts computed later for a blob that had none (a backfill); completes once they are stored. */
    Mono<Void> storeFacts(long blobId, MessageFacts facts);

    /** The store's content and the facts kept by {@link Mailboxes}. */
    static MessageSource of(MessageStore messages, Mailboxes mailboxes) {
        return new MessageSource() {
            @Override
            public Flux<ByteBuffer> content(long blobId) {
                return messages.content(blobId);
            }

            @Override
            public Mono<byte[]> structure(long blobId) {
                return mailboxes.structure(blobId);
            }

            @Override
            public Mono<Map<Long, byte[]>> structures(Collection<Long> blobIds) {
                return mailboxes.structures(blobIds);
            }

            @Override
            public Mono<Map<Long, ByteBuffer>> heads(Map<Long, Integer> lengths) {
                return messages.heads(lengths);
            }

            @Override
            public Mono<Void> storeFacts(long blobId, MessageFacts facts) {
                return mailboxes.storeFacts(blobId, facts);
            }
        };
    }
}
